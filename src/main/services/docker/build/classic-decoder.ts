import {
  auxImageId,
  streamError,
  type BuildFailure,
  type BuildStreamDecoder,
  type BuildStreamEvent,
} from './build-stream';
import type { StepTracker } from './step-tracker';

// `s`: an instruction may hold U+2028, which `.` would not otherwise take (lines split on \n only).
const STEP_HEADER = /^Step (\d+)\/(\d+) : (.*)$/s;

/**
 * The classic builder's stream: plain text in `stream` where "Step n/N : INSTRUCTION" opens a step
 * and " ---> Using cache" marks it cached; the image id in `aux.ID`; a failure as an `error` event.
 */
export class ClassicBuildDecoder implements BuildStreamDecoder {
  imageId: string | null = null;
  failure: BuildFailure | null = null;
  private current: { key: string; index: number; cached: boolean } | null = null;
  private lineBuffer = '';

  constructor(
    private readonly tracker: StepTracker,
    private readonly now: () => number = Date.now,
  ) {}

  handle(event: BuildStreamEvent): void {
    const id = auxImageId(event.aux);
    if (id) this.imageId = id;
    if (typeof event.stream === 'string') this.text(event.stream);
    // `status` lines come from pulling a base image (`--pull`); progress ticks would flood the log.
    if (typeof event.status === 'string' && !event.progressDetail?.current) {
      // The daemon sends a layer id string; anything else (fuzzing found an object) is left out.
      const layer = typeof event.id === 'string' && event.id ? `${event.id}: ` : '';
      this.text(`${layer}${event.status}\n`);
    }
    const error = streamError(event);
    if (error) this.fail(error);
  }

  finish(outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    if (this.lineBuffer) this.line(this.lineBuffer);
    this.lineBuffer = '';
    if (outcome === 'succeeded') this.closeCurrent();
    else if (this.current) {
      const step = this.tracker.get(this.current.index);
      if (step?.state === 'running') {
        this.tracker.upsert(this.current.key, '', {
          state: 'failed',
          endedAt: this.now(),
          error: outcome === 'cancelled' ? 'Cancelled.' : (this.failure?.message ?? 'The build stopped.'),
        });
      }
    }
    this.tracker.flush(true);
  }

  private text(text: string): void {
    const joined = this.lineBuffer + text;
    const lines = joined.split('\n');
    this.lineBuffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    const header = STEP_HEADER.exec(line);
    if (header) {
      this.closeCurrent();
      const number = Number(header[1]);
      this.tracker.declareTotal(Number(header[2]));
      const key = `step-${number}`;
      const step = this.tracker.upsert(key, header[3] ?? '', { state: 'running', startedAt: this.now() });
      this.current = { key, index: step.index, cached: false };
      this.tracker.log(step.index, line + '\n');
      return;
    }
    if (line.startsWith('Successfully built ')) {
      this.closeCurrent();
      this.imageId ??= line.slice('Successfully built '.length).trim();
    }
    if (this.current && line.trim() === '---> Using cache') this.current.cached = true;
    this.tracker.log(this.current?.index ?? null, line + '\n');
  }

  private closeCurrent(): void {
    if (!this.current) return;
    const { key, cached } = this.current;
    this.current = null;
    this.tracker.upsert(key, '', { state: cached ? 'cached' : 'done', endedAt: this.now() });
  }

  private fail(message: string): void {
    if (this.lineBuffer) this.line(this.lineBuffer);
    this.lineBuffer = '';
    const current = this.current;
    this.failure ??= { step: current ? (this.tracker.get(current.index)?.name ?? null) : null, message };
    this.tracker.log(current?.index ?? null, `ERROR: ${message.trimEnd()}\n`);
    if (current) {
      this.current = null;
      this.tracker.upsert(current.key, '', { state: 'failed', endedAt: this.now(), error: message.trim() });
    }
  }
}
