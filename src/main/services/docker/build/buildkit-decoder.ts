import type { BuildStepData } from '../../../../shared/contract/builds';
import { decodeBuildkitStatus, type BuildkitVertex } from './buildkit-status';
import {
  auxImageId,
  streamError,
  type BuildFailure,
  type BuildStreamDecoder,
  type BuildStreamEvent,
} from './build-stream';
import type { StepTracker } from './step-tracker';

/** Errors BuildKit puts on every vertex it stops because another one failed or the client left. */
const KNOCK_ON_ERROR = /context canceled|canceled/i;

/**
 * BuildKit's stream: `moby.buildkit.trace` events carry protobuf StatusResponses (vertexes, their
 * statuses and logs), `moby.image.id` the result. Vertexes become steps; the log also gets the
 * `#n name` / `#n DONE 0.4s` lines of `docker build --progress=plain`, so it reads on its own.
 */
export class BuildkitBuildDecoder implements BuildStreamDecoder {
  imageId: string | null = null;
  failure: BuildFailure | null = null;
  private readonly announced = new Map<number, BuildStepData['state']>();
  private readonly statusesDone = new Set<string>();
  private readonly utf8 = new TextDecoder('utf-8');
  /** Step index -> vertex digest. */
  private readonly keyOf = new Map<number, string>();

  constructor(
    private readonly tracker: StepTracker,
    private readonly now: () => number = Date.now,
  ) {}

  handle(event: BuildStreamEvent): void {
    if (event.id === 'moby.buildkit.trace' && typeof event.aux === 'string') {
      this.apply(event.aux);
    } else if (event.id === 'moby.image.id') {
      this.imageId = auxImageId(event.aux) ?? this.imageId;
    } else if (typeof event.stream === 'string') {
      this.tracker.log(null, event.stream);
    }
    const error = streamError(event);
    if (error) {
      const failed = this.failedStep();
      this.failure ??= { step: failed?.name ?? null, message: error.trim() };
      this.tracker.log(null, `ERROR: ${error.trimEnd()}\n`);
    }
  }

  finish(outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    if (outcome !== 'succeeded') {
      const error = outcome === 'cancelled' ? 'Cancelled.' : 'Stopped: another step failed.';
      for (const step of this.tracker.list()) {
        const key = this.keyOf.get(step.index);
        if (step.state === 'running' && key) {
          this.tracker.upsert(key, '', { state: 'failed', endedAt: this.now(), error });
        }
      }
    }
    if (this.failure && !this.failure.step)
      this.failure = { ...this.failure, step: this.failedStep()?.name ?? null };
    this.tracker.flush(true);
  }

  private apply(aux: string): void {
    let status;
    try {
      status = decodeBuildkitStatus(aux);
    } catch {
      // A message this decoder cannot read must not stop the build; its progress is only lost.
      return;
    }
    for (const vertex of status.vertexes) this.vertex(vertex);
    for (const log of status.logs) {
      const index = this.tracker.indexOf(log.vertex);
      this.tracker.log(index ?? null, this.utf8.decode(log.data));
    }
    for (const s of status.statuses) {
      if (s.completed === null || this.statusesDone.has(`${s.vertex}/${s.id}`)) continue;
      this.statusesDone.add(`${s.vertex}/${s.id}`);
      const index = this.tracker.indexOf(s.vertex);
      const prefix = index === undefined ? '' : `#${index + 1} `;
      this.tracker.log(index ?? null, `${prefix}${s.id} done\n`);
    }
  }

  private vertex(v: BuildkitVertex): void {
    const state: BuildStepData['state'] = v.error
      ? 'failed'
      : v.completed !== null
        ? v.cached
          ? 'cached'
          : 'done'
        : v.started !== null
          ? 'running'
          : 'pending';
    const step = this.tracker.upsert(v.digest, v.name, {
      state,
      startedAt: v.started ?? undefined,
      endedAt: v.completed ?? undefined,
      error: v.error || undefined,
    });
    this.keyOf.set(step.index, v.digest);
    const before = this.announced.get(step.index);
    if (before === state || state === 'pending') return;
    this.announced.set(step.index, state);
    const n = `#${step.index + 1}`;
    if (before === undefined || before === 'pending') this.tracker.log(step.index, `${n} ${step.name}\n`);
    if (state === 'cached') this.tracker.log(step.index, `${n} CACHED\n`);
    else if (state === 'done')
      this.tracker.log(step.index, `${n} DONE ${((step.durationMs ?? 0) / 1000).toFixed(1)}s\n`);
    else if (state === 'failed') this.tracker.log(step.index, `${n} ERROR: ${v.error}\n`);
  }

  /** The step that really failed: the first with an error that is not a knock-on cancellation. */
  private failedStep(): BuildStepData | undefined {
    const failed = this.tracker.list().filter((s) => s.state === 'failed');
    return failed.find((s) => !KNOCK_ON_ERROR.test(s.error ?? '')) ?? failed[0];
  }
}
