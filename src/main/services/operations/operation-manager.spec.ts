import { describe, expect, it } from 'vitest';
import { OperationManager, type OperationSink } from './operation-manager';
import type { OperationEventData, OperationSummaryData } from '../../../shared/types';

function recordingSink() {
  const events: OperationEventData[] = [];
  const states: OperationSummaryData[] = [];
  const sink: OperationSink = { event: (e) => events.push(e), stateChanged: (s) => states.push(s) };
  return { sink, events, states };
}

describe('OperationManager', () => {
  it('numbers events 1, 2, 3… in order and ends with a state event', async () => {
    const { sink, events } = recordingSink();
    const ops = new OperationManager(sink);
    const { id, done } = ops.start({
      kind: 'test',
      title: 't',
      work: async (ctx) => {
        for (let i = 0; i < 5; i++) ctx.emit('step', { i });
        return 'result';
      },
    });
    await expect(done).resolves.toBe('result');
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.every((e) => e.opId === id)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'state', data: { state: 'succeeded', result: 'result' } });
    expect(ops.summary(id)).toMatchObject({ state: 'succeeded', lastSeq: 6 });
  });

  it('coalesces log text into one event and keeps it before a following domain event', async () => {
    const { sink, events } = recordingSink();
    const ops = new OperationManager(sink, { coalesceMs: 1000 });
    const { done } = ops.start({
      kind: 'test',
      title: 't',
      work: async (ctx) => {
        ctx.log('a');
        ctx.log('b');
        ctx.log('c');
        ctx.emit('step', {});
      },
    });
    await done;
    expect(events.map((e) => e.type)).toEqual(['log', 'step', 'state']);
    expect(events[0]!.data).toEqual({ text: 'abc' });
  });

  it('flushes a log event when 64 KB are pending, without waiting for the timer', async () => {
    const { sink, events } = recordingSink();
    const ops = new OperationManager(sink, { coalesceMs: 60_000, coalesceBytes: 1024 });
    let release!: () => void;
    const { done } = ops.start({
      kind: 'test',
      title: 't',
      work: (ctx) => {
        ctx.log('x'.repeat(1500));
        return new Promise<void>((r) => (release = r));
      },
    });
    expect(events.filter((e) => e.type === 'log')).toHaveLength(1);
    release();
    await done;
  });

  it('replays everything after a sequence number to a view that comes back', async () => {
    const { sink } = recordingSink();
    const ops = new OperationManager(sink);
    const { id, done } = ops.start({
      kind: 'test',
      title: 't',
      work: async (ctx) => {
        for (let i = 0; i < 10; i++) ctx.emit('step', { i });
      },
    });
    await done;
    const all = ops.replay(id, 0);
    expect(all.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const rest = ops.replay(id, 7);
    expect(rest.events.map((e) => e.seq)).toEqual([8, 9, 10, 11]);
    expect(rest.truncated).toBe(false);
  });

  it('cancel reaches the work through its AbortSignal', async () => {
    const { sink } = recordingSink();
    const ops = new OperationManager(sink);
    let sawAbort = false;
    const { id, done } = ops.start({
      kind: 'test',
      title: 't',
      work: (ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(new Error('stopped'));
          });
        }),
    });
    ops.cancel(id);
    await expect(done).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(sawAbort).toBe(true);
    expect(ops.summary(id).state).toBe('cancelled');
  });

  it('keeps the replay buffer bounded and says so', async () => {
    const { sink } = recordingSink();
    const ops = new OperationManager(sink, { maxEvents: 100 });
    const { id, done } = ops.start({
      kind: 'test',
      title: 't',
      work: async (ctx) => {
        for (let i = 0; i < 1000; i++) ctx.emit('step', { i });
      },
    });
    await done;
    const r = ops.replay(id, 0);
    expect(r.events).toHaveLength(100);
    expect(r.truncated).toBe(true);
    expect(r.events.at(-1)!.seq).toBe(1001);
    expect(r.events[0]!.seq).toBe(902);
    // A view that had seen everything up to the kept window is not told it lost anything.
    expect(ops.replay(id, 950).truncated).toBe(false);
  });

  it('bounds the buffer by bytes as well as by count', async () => {
    const { sink } = recordingSink();
    const ops = new OperationManager(sink, { maxBytes: 10_000, coalesceBytes: 100 });
    const { id, done } = ops.start({
      kind: 'test',
      title: 't',
      work: async (ctx) => {
        for (let i = 0; i < 500; i++) ctx.log('y'.repeat(200));
      },
    });
    await done;
    const kept = ops.replay(id, 0).events.filter((e) => e.type === 'log');
    const bytes = kept.reduce((n, e) => n + (e.data as { text: string }).text.length, 0);
    expect(bytes).toBeLessThanOrEqual(10_000);
    expect(ops.replay(id, 0).truncated).toBe(true);
  });

  it('reports a failure with its code and message', async () => {
    const { sink, states } = recordingSink();
    const ops = new OperationManager(sink);
    const { id, done } = ops.start({
      kind: 'test',
      title: 't',
      work: async () => {
        throw new Error('disk on fire');
      },
    });
    await expect(done).rejects.toBeTruthy();
    expect(ops.summary(id)).toMatchObject({ state: 'failed', error: { code: 'INTERNAL' } });
    expect(states.map((s) => s.state)).toEqual(['running', 'failed']);
  });

  it('forgets the oldest finished operations beyond its limit', async () => {
    const ops = new OperationManager(recordingSink().sink, { maxFinished: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { id, done } = ops.start({ kind: 'k', title: String(i), work: async () => i });
      ids.push(id);
      await done;
    }
    expect(
      ops
        .list()
        .map((s) => s.id)
        .sort(),
    ).toEqual(ids.slice(2).sort());
    expect(() => ops.replay(ids[0]!)).toThrow(/No operation/);
  });
});
