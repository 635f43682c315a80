import { randomUUID } from 'node:crypto';
import { AppError, type AppErrorData } from '../../../shared/errors';
import type { OperationEventData, OperationSummaryData } from '../../../shared/types';

/** Where a manager sends what happens; the composition root forwards it to every connected view. */
export interface OperationSink {
  event(event: OperationEventData): void;
  stateChanged(summary: OperationSummaryData): void;
}

export interface OperationLimits {
  /** Events kept per operation for replay. */
  maxEvents: number;
  /** Serialized bytes kept per operation for replay. */
  maxBytes: number;
  /** Finished operations remembered. */
  maxFinished: number;
  /** Log text is coalesced for this long (ms) before it becomes one event. */
  coalesceMs: number;
  /** …or until this many bytes are pending. */
  coalesceBytes: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxEvents: 20_000,
  maxBytes: 16 * 1024 * 1024,
  maxFinished: 200,
  coalesceMs: 16,
  coalesceBytes: 64 * 1024,
};

/** What a piece of long work gets to report with and to notice cancellation. */
export interface OperationContext {
  readonly id: string;
  readonly signal: AbortSignal;
  /** Append log text; coalesced into `log` events of about 16 ms or 64 KB. */
  log(text: string): void;
  /** Emit a domain event (after any pending log text, so order is kept). */
  emit(type: string, data: unknown): void;
}

export interface StartOptions<R> {
  kind: string;
  title: string;
  work: (ctx: OperationContext) => Promise<R>;
  /** A fixed id (used by tests and for restoring); a random one otherwise. */
  id?: string;
}

interface Entry {
  summary: OperationSummaryData;
  events: OperationEventData[];
  bytes: number;
  truncated: boolean;
  controller: AbortController;
  pendingLog: string;
  flushTimer: NodeJS.Timeout | null;
  done: Promise<unknown>;
}

/**
 * Long work as operations (design.md rule 3): an id, ordered events with sequence numbers, a bounded
 * replay buffer so a view that comes back gets the whole story, and cancel reaching an AbortController.
 */
export class OperationManager {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: OperationLimits;

  constructor(
    private readonly sink: OperationSink,
    limits: Partial<OperationLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  start<R>(options: StartOptions<R>): { id: string; done: Promise<R> } {
    const id = options.id ?? randomUUID();
    if (this.entries.has(id)) throw new AppError('CONFLICT', `An operation with id ${id} already exists.`);
    const controller = new AbortController();
    const entry: Entry = {
      summary: {
        id,
        kind: options.kind,
        title: options.title,
        state: 'running',
        startedAt: Date.now(),
        endedAt: null,
        lastSeq: 0,
        error: null,
      },
      events: [],
      bytes: 0,
      truncated: false,
      controller,
      pendingLog: '',
      flushTimer: null,
      done: Promise.resolve(),
    };
    this.entries.set(id, entry);
    this.sink.stateChanged({ ...entry.summary });

    const ctx: OperationContext = {
      id,
      signal: controller.signal,
      log: (text) => this.appendLog(entry, text),
      emit: (type, data) => {
        this.flushLog(entry);
        this.push(entry, type, data);
      },
    };

    const done = (async () => {
      try {
        const result = await options.work(ctx);
        // Work that ignores its signal still ends as cancelled if the user asked for it.
        if (controller.signal.aborted) throw new AppError('CANCELLED', 'Cancelled.');
        this.finish(entry, 'succeeded', null, result);
        return result;
      } catch (err) {
        const appError = controller.signal.aborted
          ? new AppError('CANCELLED', 'Cancelled.')
          : AppError.from(err);
        this.finish(entry, appError.code === 'CANCELLED' ? 'cancelled' : 'failed', appError.toData());
        throw appError;
      }
    })();
    // The caller may not await; an unobserved failure must not crash main.
    done.catch(() => undefined);
    entry.done = done;
    return { id, done };
  }

  cancel(id: string): void {
    const entry = this.get(id);
    if (entry.summary.state === 'running') entry.controller.abort(new AppError('CANCELLED', 'Cancelled.'));
  }

  list(kind?: string): OperationSummaryData[] {
    return [...this.entries.values()]
      .map((e) => e.summary)
      .filter((s) => kind === undefined || s.kind === kind)
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((s) => ({ ...s }));
  }

  replay(
    id: string,
    afterSeq = 0,
  ): { summary: OperationSummaryData; events: OperationEventData[]; truncated: boolean } {
    const entry = this.get(id);
    this.flushLog(entry);
    const events = entry.events.filter((e) => e.seq > afterSeq);
    const firstKept = entry.events[0]?.seq ?? entry.summary.lastSeq + 1;
    return { summary: { ...entry.summary }, events, truncated: entry.truncated && afterSeq + 1 < firstKept };
  }

  summary(id: string): OperationSummaryData {
    return { ...this.get(id).summary };
  }

  /** Waits for an operation to end, whatever its outcome. */
  async settled(id: string): Promise<OperationSummaryData> {
    const entry = this.get(id);
    await entry.done.catch(() => undefined);
    return { ...entry.summary };
  }

  /** Cancels everything still running (app shutdown). */
  async dispose(): Promise<void> {
    const running = [...this.entries.values()].filter((e) => e.summary.state === 'running');
    for (const e of running) e.controller.abort(new AppError('CANCELLED', 'The app is shutting down.'));
    await Promise.all(running.map((e) => e.done.catch(() => undefined)));
  }

  private get(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) throw new AppError('NOT_FOUND', `No operation with id ${id}. It may have ended long ago.`);
    return entry;
  }

  private appendLog(entry: Entry, text: string): void {
    if (text.length === 0 || entry.summary.state !== 'running') return;
    entry.pendingLog += text;
    if (entry.pendingLog.length >= this.limits.coalesceBytes) {
      this.flushLog(entry);
    } else if (!entry.flushTimer) {
      entry.flushTimer = setTimeout(() => this.flushLog(entry), this.limits.coalesceMs);
    }
  }

  private flushLog(entry: Entry): void {
    if (entry.flushTimer) {
      clearTimeout(entry.flushTimer);
      entry.flushTimer = null;
    }
    if (entry.pendingLog.length === 0) return;
    const text = entry.pendingLog;
    entry.pendingLog = '';
    this.push(entry, 'log', { text });
  }

  private push(entry: Entry, type: string, data: unknown): void {
    const event: OperationEventData = {
      opId: entry.summary.id,
      seq: entry.summary.lastSeq + 1,
      at: Date.now(),
      type,
      data,
    };
    entry.summary.lastSeq = event.seq;
    entry.events.push(event);
    entry.bytes += approximateSize(data);
    while (
      entry.events.length > this.limits.maxEvents ||
      (entry.bytes > this.limits.maxBytes && entry.events.length > 1)
    ) {
      const dropped = entry.events.shift();
      if (dropped) entry.bytes -= approximateSize(dropped.data);
      entry.truncated = true;
    }
    this.sink.event(event);
  }

  private finish(
    entry: Entry,
    state: 'succeeded' | 'failed' | 'cancelled',
    error: AppErrorData | null,
    result?: unknown,
  ): void {
    this.flushLog(entry);
    entry.summary.state = state;
    entry.summary.endedAt = Date.now();
    entry.summary.error = error;
    if (result !== undefined) entry.summary.result = result;
    this.push(entry, 'state', { state, error, result });
    this.sink.stateChanged({ ...entry.summary });
    this.forgetOldFinished();
  }

  private forgetOldFinished(): void {
    const finished = [...this.entries.values()]
      .filter((e) => e.summary.state !== 'running')
      .sort((a, b) => (a.summary.endedAt ?? 0) - (b.summary.endedAt ?? 0));
    while (finished.length > this.limits.maxFinished) {
      const oldest = finished.shift();
      if (oldest) this.entries.delete(oldest.summary.id);
    }
  }
}

function approximateSize(data: unknown): number {
  if (
    data &&
    typeof data === 'object' &&
    'text' in data &&
    typeof (data as { text: unknown }).text === 'string'
  ) {
    return (data as { text: string }).text.length + 32;
  }
  try {
    return JSON.stringify(data)?.length ?? 16;
  } catch {
    return 16;
  }
}
