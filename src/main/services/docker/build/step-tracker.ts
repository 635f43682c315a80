import type { BuildLogSegmentData, BuildStepData } from '../../../../shared/contract/builds';

/** Where a build's model goes: each step change, and batches of log lines tagged with their step. */
export interface BuildModelSink {
  stepChanged(step: BuildStepData, totalSteps: number): void;
  logged(segments: BuildLogSegmentData[]): void;
}

export interface StepTrackerOptions {
  /** Log lines are held this long (ms) before they go out as one batch… */
  coalesceMs?: number;
  /** …or until this many characters are waiting. */
  coalesceChars?: number;
}

type StepPatch = Partial<Omit<BuildStepData, 'index'>>;

/**
 * The one event model both builders' decoders write into: steps keyed by whatever the builder
 * names them with (a BuildKit vertex digest, a classic step number), and log text cut into whole
 * lines per step so interleaved output of parallel BuildKit stages never mixes inside a line.
 */
export class StepTracker {
  private readonly steps: BuildStepData[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly partial = new Map<number | null, string>();
  private pending: BuildLogSegmentData[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | null = null;
  private declaredTotal = 0;
  private readonly coalesceMs: number;
  private readonly coalesceChars: number;

  constructor(
    private readonly sink: BuildModelSink,
    options: StepTrackerOptions = {},
  ) {
    this.coalesceMs = options.coalesceMs ?? 16;
    this.coalesceChars = options.coalesceChars ?? 64 * 1024;
  }

  /** Steps as they stand now, in order of appearance. */
  list(): BuildStepData[] {
    return this.steps.map((s) => ({ ...s }));
  }

  indexOf(key: string): number | undefined {
    return this.byKey.get(key);
  }

  get(index: number): BuildStepData | undefined {
    return this.steps[index];
  }

  /** A total the builder announced (classic: the N of "Step n/N"). */
  declareTotal(total: number): void {
    this.declaredTotal = Math.max(this.declaredTotal, total);
  }

  total(): number {
    return Math.max(this.declaredTotal, this.steps.length);
  }

  /** Creates the step if it is new, applies the patch, and reports it when anything changed. */
  upsert(key: string, name: string, patch: StepPatch = {}): BuildStepData {
    let index = this.byKey.get(key);
    let changed = false;
    if (index === undefined) {
      index = this.steps.length;
      this.byKey.set(key, index);
      this.steps.push({
        index,
        name,
        state: 'pending',
        startedAt: null,
        endedAt: null,
        durationMs: null,
        error: null,
      });
      changed = true;
    }
    const step = this.steps[index] as BuildStepData;
    if (name && step.name !== name) {
      step.name = name;
      changed = true;
    }
    for (const [k, v] of Object.entries(patch) as [keyof StepPatch, never][]) {
      if (v !== undefined && step[k] !== v) {
        (step as Record<string, unknown>)[k] = v;
        changed = true;
      }
    }
    if (step.startedAt !== null && step.endedAt !== null) {
      const duration = Math.max(0, step.endedAt - step.startedAt);
      if (step.durationMs !== duration) {
        step.durationMs = duration;
        changed = true;
      }
    }
    if (changed) {
      // Lines already written for this step go out before its new state, so a view that shows
      // "done" has every line of it.
      this.flush();
      this.sink.stepChanged({ ...step }, this.total());
    }
    return step;
  }

  /** Appends output of a step (null: the builder's own). Only whole lines are sent; the rest waits. */
  log(step: number | null, text: string): void {
    if (text.length === 0) return;
    const joined = (this.partial.get(step) ?? '') + text;
    const cut = joined.lastIndexOf('\n');
    if (cut === -1) {
      this.partial.set(step, joined);
      return;
    }
    this.partial.set(step, joined.slice(cut + 1));
    this.enqueue(step, joined.slice(0, cut + 1));
  }

  /** Sends every waiting line, and with `endOfStream` also the unfinished last line of each step. */
  flush(endOfStream = false): void {
    if (endOfStream) {
      for (const [step, rest] of this.partial) if (rest.length > 0) this.enqueue(step, rest + '\n', false);
      this.partial.clear();
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const segments = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    this.sink.logged(segments);
  }

  private enqueue(step: number | null, text: string, schedule = true): void {
    const last = this.pending[this.pending.length - 1];
    if (last && last.step === step) last.text += text;
    else this.pending.push({ step, text });
    this.pendingChars += text.length;
    if (!schedule) return;
    if (this.pendingChars >= this.coalesceChars) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
  }
}
