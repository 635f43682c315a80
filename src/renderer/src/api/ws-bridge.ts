import { callNames, isEventName, type Api, type EventName, type Result } from '../../../shared/contract';
import { ServerMessage } from '../../../shared/wire';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };
export type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * window.api for the browser shell: the same functions as the preload's, carried over one
 * WebSocket. The token travels as the HttpOnly cookie the server set; this code never sees it.
 * The socket reconnects with backoff; calls made while it is down wait for it.
 */
export function createWsApi(url: string, onState?: (s: ConnectionState) => void): Api {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let backoff = 250;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const resyncListeners = new Set<() => void>();

  function connect(): void {
    onState?.('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      backoff = 250;
      onState?.('open');
      for (const msg of queue.splice(0)) ws.send(msg);
      // Whatever happened while we were away is re-read by the views.
      for (const l of resyncListeners) l();
    };
    ws.onmessage = (ev) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      // Terminal output is most of the traffic in a flood: a cheap shape check instead of the schema
      // walk (the listener still gets exactly the contract's payload, and nothing else passes).
      if (isTerminalOutput(parsed)) {
        for (const l of listeners.get('terminal:output') ?? []) l(parsed.payload);
        return;
      }
      const msg = ServerMessage.safeParse(parsed);
      if (!msg.success) return;
      const m = msg.data;
      if (m.t === 'result') {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        const result = m.result as Result<unknown>;
        if (result && typeof result === 'object' && 'ok' in result && result.ok) p.resolve(result.value);
        else
          p.reject(
            result && typeof result === 'object' && 'error' in result
              ? result.error
              : { code: 'INTERNAL', message: 'Malformed reply.' },
          );
      } else if (m.t === 'event') {
        for (const l of listeners.get(m.name) ?? []) l(m.payload);
      } else {
        for (const l of resyncListeners) l();
      }
    };
    ws.onclose = () => {
      onState?.('closed');
      for (const [id, p] of pending) {
        p.reject({
          code: 'INTERNAL',
          message: 'The connection to Template Studio was lost. It is reconnecting; try again.',
        });
        pending.delete(id);
      }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 5000);
    };
  }
  connect();

  const api: Record<string, unknown> = {};
  for (const name of callNames) {
    api[name] = (input: unknown) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const msg = JSON.stringify({ t: 'call', id, name, input: input ?? {} });
        if (socket?.readyState === WebSocket.OPEN) socket.send(msg);
        else queue.push(msg);
      });
  }
  api.on = (name: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(name))
      throw { code: 'UNKNOWN_CALL', message: `There is no event named ${String(name)}.` };
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  };
  api.onResync = (listener: () => void) => {
    resyncListeners.add(listener);
    return () => void resyncListeners.delete(listener);
  };
  return api as unknown as Api;
}

function isTerminalOutput(m: unknown): m is {
  t: 'event';
  name: 'terminal:output';
  payload: { id: string; data: string; bytes: number; offset: number };
} {
  if (typeof m !== 'object' || m === null) return false;
  const { t, name, payload } = m as { t?: unknown; name?: unknown; payload?: unknown };
  if (t !== 'event' || name !== 'terminal:output' || typeof payload !== 'object' || payload === null)
    return false;
  const p = payload as Record<string, unknown>;
  return (
    typeof p.id === 'string' &&
    typeof p.data === 'string' &&
    typeof p.bytes === 'number' &&
    typeof p.offset === 'number'
  );
}
