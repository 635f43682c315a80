/**
 * A wider receive window for a channel, granted back as the reader consumes data.
 *
 * ssh2 advertises a fixed 2 MiB window and tops it up only once it has fallen to 1 MiB, so at most
 * 1–2 MiB is ever in flight. On a busy machine the WINDOW_ADJUST then arrives late and sshd sits
 * idle: in bench/tunnel-vs-openssh our tunnel reached 0.59–0.80 of OpenSSH's `-L` with ssh2's
 * window, and 0.74–1.24 (median 0.93) with 8 MiB. OpenSSH keeps its window topped up after every
 * three packets read; this does the same, to a target of 8 MiB.
 *
 * Bytes are granted back only when the channel's reader took them (its 'data' event), never on
 * arrival, so a paused reader (a slow browser, a paused terminal) holds at most the target plus
 * what ssh2 grants itself on resume (2 MiB).
 *
 * ssh2 has no option for this. It uses the channel's `incoming.window`, `outgoing.id` and the
 * client's protocol `channelWindowAdjust`, exactly as ssh2's own windowAdjust does (ssh2 is pinned;
 * test/integration/ssh-receive-window.test.ts fails if a new version moves them). If they are missing, the
 * channel keeps ssh2's own window: slower, never broken.
 */
export const RECEIVE_WINDOW_BYTES = 8 * 1024 * 1024;

/** OpenSSH's step: grant back once more than three 32 KiB packets have been read. */
const GRANT_STEP = 3 * 32 * 1024;

interface ChannelInternals {
  incoming: { window: number };
  outgoing: { id: number; state: string };
  _client: { _protocol: { channelWindowAdjust(id: number, amount: number): void } };
}

/** What widening needs of a channel: its 'data' event (the rest is checked at run time). */
interface ReadableChannel {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

function internalsOf(channel: ReadableChannel): ChannelInternals | null {
  const c = channel as unknown as Partial<ChannelInternals>;
  const ok =
    typeof c.incoming?.window === 'number' &&
    typeof c.outgoing?.id === 'number' &&
    typeof c._client?._protocol?.channelWindowAdjust === 'function';
  return ok ? (c as ChannelInternals) : null;
}

/** Widen `channel`'s receive window to `target` bytes and keep it there as data is read. Returns whether it could. */
export function widenReceiveWindow(channel: ReadableChannel, target = RECEIVE_WINDOW_BYTES): boolean {
  const c = internalsOf(channel);
  if (!c) return false;
  const grant = (amount: number) => {
    if (amount <= 0 || c.outgoing.state === 'closed') return;
    c.incoming.window += amount;
    c._client._protocol.channelWindowAdjust(c.outgoing.id, amount);
  };
  let consumed = 0;
  grant(target - c.incoming.window);
  channel.on('data', (chunk: Buffer) => {
    consumed += chunk.length;
    const amount = Math.min(consumed, target - c.incoming.window);
    if (amount >= GRANT_STEP || (amount > 0 && c.incoming.window < target / 2)) {
      consumed -= amount;
      grant(amount);
    }
  });
  return true;
}

/** The window the peer may still fill (for tests; null when ssh2's internals are not there). */
export function receiveWindowOf(channel: ReadableChannel): number | null {
  return internalsOf(channel)?.incoming.window ?? null;
}
