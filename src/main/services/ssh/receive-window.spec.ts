import { PassThrough, Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { RECEIVE_WINDOW_BYTES, receiveWindowOf, widenReceiveWindow } from './receive-window';

const MiB = 1024 * 1024;

/** A readable with the three ssh2 internals widening uses, fed as ssh2 feeds one; grants are recorded. */
function fakeChannel(window = 2 * MiB) {
  const stream = new Readable({ read() {}, highWaterMark: 2 * MiB });
  const grants: Array<[number, number]> = [];
  Object.assign(stream, {
    incoming: { window },
    outgoing: { id: 7, state: 'open' },
    _client: { _protocol: { channelWindowAdjust: (id: number, n: number) => grants.push([id, n]) } },
  });
  const internals = stream as unknown as { incoming: { window: number }; outgoing: { state: string } };
  /** The peer sends `n` bytes: they use up window, as ssh2's CHANNEL_DATA handler counts them. */
  const arrive = async (n: number) => {
    internals.incoming.window -= n;
    stream.push(Buffer.alloc(n));
    await tick();
  };
  return { stream, grants, internals, arrive };
}

describe('widenReceiveWindow', () => {
  it('opens the window to the target at once, on the channel the peer knows', () => {
    const { stream, grants } = fakeChannel();
    expect(widenReceiveWindow(stream)).toBe(true);
    expect(grants).toEqual([[7, RECEIVE_WINDOW_BYTES - 2 * MiB]]);
    expect(receiveWindowOf(stream)).toBe(RECEIVE_WINDOW_BYTES);
  });

  it('grants back what the reader took, in steps of three packets', async () => {
    const { stream, grants, arrive } = fakeChannel();
    widenReceiveWindow(stream);
    grants.length = 0;
    await arrive(64 * 1024);
    expect(grants).toEqual([]); // two packets: not yet
    await arrive(64 * 1024);
    expect(grants).toEqual([[7, 128 * 1024]]);
    expect(receiveWindowOf(stream)).toBe(RECEIVE_WINDOW_BYTES);
  });

  it('grants nothing while the reader is paused, so a slow reader holds at most the target', async () => {
    const { stream, grants, arrive } = fakeChannel();
    widenReceiveWindow(stream);
    stream.pause();
    grants.length = 0;
    for (let i = 0; i < 256; i++) await arrive(32 * 1024);
    expect(grants).toEqual([]);
    expect(receiveWindowOf(stream)).toBe(0);
    expect(stream.readableLength).toBe(RECEIVE_WINDOW_BYTES);
    stream.resume();
    await tick();
    expect(stream.readableLength).toBe(0);
    const granted = grants.reduce((sum, [, n]) => sum + n, 0);
    // All of it back, but for a remainder under one step (three packets) that waits for more reads.
    expect(granted).toBeGreaterThan(RECEIVE_WINDOW_BYTES - 3 * 32 * 1024);
    expect(granted).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES);
  });

  it('never opens the window past the target, even when ssh2 granted some itself', async () => {
    const { stream, grants, internals, arrive } = fakeChannel();
    widenReceiveWindow(stream);
    await arrive(1 * MiB);
    internals.incoming.window += 512 * 1024; // ssh2's own windowAdjust
    await arrive(1 * MiB);
    expect(receiveWindowOf(stream)).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES);
    expect(grants.length).toBeGreaterThan(1);
  });

  it('stops granting once the channel is closed', async () => {
    const { stream, grants, internals, arrive } = fakeChannel();
    widenReceiveWindow(stream);
    grants.length = 0;
    internals.outgoing.state = 'closed';
    await arrive(1 * MiB);
    expect(grants).toEqual([]);
  });

  it('leaves a stream without ssh2 internals alone', () => {
    const stream = new PassThrough();
    expect(widenReceiveWindow(stream)).toBe(false);
    expect(receiveWindowOf(stream)).toBeNull();
    expect(stream.listenerCount('data')).toBe(0);
  });
});
