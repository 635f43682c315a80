import type { BuildLogSegmentData, BuildResultData, BuildStepData } from '../../../../shared/contract/builds';
import type { TrackedOperation } from '../../stores/operations-store';
import { LogBuffer } from '../../log/log-buffer';
import type { LogMarker } from '../../log/LogView';

/**
 * A build as the view shows it, folded from the operation's ordered events: steps with their state,
 * the log with the line where each step's output starts, and the result. Folding is incremental:
 * each call consumes only the events after the last one it saw.
 */
export class BuildModel {
  readonly log = new LogBuffer();
  readonly steps = new Map<number, BuildStepData>();
  readonly firstLine = new Map<number, number>();
  totalSteps = 0;
  result: BuildResultData | null = null;
  version = 0;
  private seenSeq = 0;

  consume(op: TrackedOperation): this {
    for (const e of op.events) {
      if (e.seq <= this.seenSeq) continue;
      this.seenSeq = e.seq;
      if (e.type === 'build:stepChanged') {
        const { step, totalSteps } = e.data as { step: BuildStepData; totalSteps: number };
        this.steps.set(step.index, step);
        this.totalSteps = Math.max(this.totalSteps, totalSteps);
      } else if (e.type === 'build:logged') {
        for (const seg of (e.data as { segments: BuildLogSegmentData[] }).segments) this.appendSegment(seg);
      } else if (e.type === 'build:imageBuilt') {
        this.result = e.data as BuildResultData;
      }
      this.version++;
    }
    return this;
  }

  appendSegment(seg: BuildLogSegmentData): void {
    if (seg.step !== null && !this.firstLine.has(seg.step)) this.firstLine.set(seg.step, this.log.length);
    this.log.append(seg.text);
  }

  markers(): LogMarker[] {
    return [...this.steps.values()]
      .sort((a, b) => a.index - b.index)
      .map((s) => ({
        line: this.firstLine.get(s.index) ?? 0,
        label: s.name,
        state: s.state,
        detail:
          s.durationMs !== null ? formatDuration(s.durationMs) : s.state === 'cached' ? 'cached' : undefined,
      }));
  }

  /** Finished steps over all steps known, 0..1. */
  progress(): number {
    const total = Math.max(this.totalSteps, this.steps.size);
    if (total === 0) return 0;
    let finished = 0;
    for (const s of this.steps.values())
      if (s.state === 'done' || s.state === 'cached' || s.state === 'failed') finished++;
    return finished / total;
  }
}

const models = new WeakMap<TrackedOperation, BuildModel>();
export function buildModelFor(op: TrackedOperation): BuildModel {
  let m = models.get(op);
  if (!m) models.set(op, (m = new BuildModel()));
  return m.consume(op);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
