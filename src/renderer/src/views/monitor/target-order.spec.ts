import { describe, expect, it } from 'vitest';
import type { TargetData } from './monitor-api';
import { attentionOrder, shareTargets, stableOrder } from './target-order';

function target(n: number, patch: Partial<TargetData> = {}): TargetData {
  return {
    key: `instance:${n}`,
    kind: 'instance',
    id: String(n),
    name: `box-${String(n).padStart(3, '0')}`,
    state: 'running',
    rawState: 'running',
    statusMsg: null,
    gpuName: '1× RTX 4090',
    dphTotal: 0.4,
    ratePerHour: 0.4,
    costSoFar: 1,
    costToday: 1,
    budgetUsd: null,
    idleSince: null,
    attention: [],
    latest: { gpuUtil: 50, cpu: 10 },
    ...patch,
  };
}

describe('shareTargets (structural sharing per poll)', () => {
  it('keeps the previous object for a target that reads the same, and the array when nothing moved', () => {
    const prev = [target(1), target(2)];
    const same = shareTargets(prev, [target(1), target(2)]);
    expect(same).toBe(prev);
    const next = shareTargets(prev, [target(1), target(2, { costSoFar: 1.5 })]);
    expect(next).not.toBe(prev);
    expect(next[0]).toBe(prev[0]);
    expect(next[1]).not.toBe(prev[1]);
    expect(next[1]!.costSoFar).toBe(1.5);
  });

  it('sees a change in a reading, the attention list and a removed target', () => {
    const prev = [target(1), target(2)];
    expect(shareTargets(prev, [target(1, { latest: { gpuUtil: 51, cpu: 10 } }), target(2)])[0]).not.toBe(
      prev[0],
    );
    expect(shareTargets(prev, [target(1, { attention: ['idle'] }), target(2)])[0]).not.toBe(prev[0]);
    const shorter = shareTargets(prev, [target(2)]);
    expect(shorter).toHaveLength(1);
    expect(shorter[0]).toBe(prev[1]);
  });
});

describe('stableOrder (attention order without a sort per poll)', () => {
  it('orders failed, over budget, idle, running, then stopped, by name', () => {
    const list = [
      target(1, { state: 'stopped', rawState: 'stopped' }),
      target(2),
      target(3, { attention: ['idle'] }),
      target(4, { state: 'failed', attention: ['failed'] }),
      target(5, { attention: ['over-budget'] }),
    ];
    expect(attentionOrder(list).map((t) => t.id)).toEqual(['4', '5', '3', '2', '1']);
    expect(stableOrder(null, list).map((t) => t.id)).toEqual(['4', '5', '3', '2', '1']);
  });

  it('reuses the previous order when it still holds, and sorts again when a state change breaks it', () => {
    const first = stableOrder(null, [target(3), target(1), target(2)]);
    expect(first.map((t) => t.id)).toEqual(['1', '2', '3']);
    // Same targets, same objects: the very same array.
    expect(stableOrder(first, first.slice().reverse())).toBe(first);
    // A cost moved: same order, the new objects.
    const moved = stableOrder(first, [target(1), target(2, { costSoFar: 9 }), target(3)]);
    expect(moved).not.toBe(first);
    expect(moved.map((t) => t.id)).toEqual(['1', '2', '3']);
    expect(moved[1]!.costSoFar).toBe(9);
    // Number 3 failed: it moves to the top.
    const failed = stableOrder(moved, [
      target(1),
      target(2),
      target(3, { state: 'failed', attention: ['failed'] }),
    ]);
    expect(failed.map((t) => t.id)).toEqual(['3', '1', '2']);
    // A new target: sorted in.
    expect(stableOrder(failed, [...failed, target(0)]).map((t) => t.id)).toEqual(['3', '0', '1', '2']);
  });
});
