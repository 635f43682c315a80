import { useEffect, useSyncExternalStore } from 'react';
import type { OperationEventData, OperationSummaryData } from '../../../shared/types';
import { api, asAppError } from '../api';
import { LogBuffer } from '../log/log-buffer';

/** What the renderer knows of one operation, rebuilt from its ordered events. */
export interface TrackedOperation {
  id: string;
  summary: OperationSummaryData | null;
  lastSeq: number;
  log: LogBuffer;
  /** Domain events (not log text), in order; bounded. */
  events: OperationEventData[];
  /** Bumped on every change. */
  version: number;
  error: string | null;
}

const MAX_DOMAIN_EVENTS = 50_000;
const tracked = new Map<string, TrackedOperation>();
const listeners = new Set<() => void>();
let notifyScheduled = false;

function notify(): void {
  // Many events arrive per frame during a build: re-render once per frame, not once per event.
  if (notifyScheduled) return;
  notifyScheduled = true;
  requestAnimationFrame(() => {
    notifyScheduled = false;
    for (const l of listeners) l();
  });
}

function ensure(id: string): TrackedOperation {
  let op = tracked.get(id);
  if (!op) {
    op = { id, summary: null, lastSeq: 0, log: new LogBuffer(), events: [], version: 0, error: null };
    tracked.set(id, op);
  }
  return op;
}

function apply(op: TrackedOperation, event: OperationEventData): void {
  if (event.seq <= op.lastSeq) return;
  op.lastSeq = event.seq;
  if (event.type === 'log') {
    const text = (event.data as { text?: unknown })?.text;
    if (typeof text === 'string') op.log.append(text);
  } else {
    op.events.push(event);
    if (op.events.length > MAX_DOMAIN_EVENTS) op.events.splice(0, op.events.length - MAX_DOMAIN_EVENTS);
  }
  op.version++;
}

const replaying = new Set<string>();
async function replay(op: TrackedOperation): Promise<void> {
  if (replaying.has(op.id)) return;
  replaying.add(op.id);
  try {
    const r = await api['operations:replay']({ id: op.id, afterSeq: op.lastSeq });
    if (r.truncated && op.lastSeq === 0)
      op.log.append('… (older output was dropped from memory; the full log is on disk)\n');
    for (const e of r.events) apply(op, e);
    op.summary = r.summary;
    op.error = null;
  } catch (err) {
    op.error = asAppError(err).message;
  } finally {
    replaying.delete(op.id);
    op.version++;
    notify();
  }
}

api.on('operation:updated', (event) => {
  const op = tracked.get(event.opId);
  if (!op) return;
  if (event.seq > op.lastSeq + 1) {
    // A gap: we missed something (a view came back, or the socket lagged). Read it from main's buffer.
    void replay(op);
    return;
  }
  apply(op, event);
  notify();
});

api.on('operation:stateChanged', (summary) => {
  const op = tracked.get(summary.id);
  if (op) {
    op.summary = summary;
    op.version++;
  }
  for (const l of stateListeners) l(summary);
  notify();
});

const stateListeners = new Set<(s: OperationSummaryData) => void>();
/** Every operation's start and end, for lists and notifications. */
export function onOperationState(listener: (s: OperationSummaryData) => void): () => void {
  stateListeners.add(listener);
  return () => void stateListeners.delete(listener);
}

// After a reconnect or a lag, everything followed is read again from where it was.
const maybeResync = (api as unknown as { onResync?: (l: () => void) => () => void }).onResync;
maybeResync?.(() => {
  for (const op of tracked.values()) void replay(op);
});

/** Follows one operation: its summary, its log and its domain events, complete after a replay. */
export function useOperation(id: string | null): TrackedOperation | null {
  useEffect(() => {
    if (!id) return;
    const op = ensure(id);
    void replay(op);
  }, [id]);
  const version = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    () => (id ? (tracked.get(id)?.version ?? -1) : -1),
  );
  void version;
  return id ? (tracked.get(id) ?? null) : null;
}

export function trackedOperation(id: string): TrackedOperation {
  return ensure(id);
}
