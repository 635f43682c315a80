import { describe, expect, it } from 'vitest';
import { SeriesRing, SeriesStore } from './ring-buffer';

describe('SeriesRing', () => {
  it('keeps at most its capacity, dropping the oldest points', () => {
    const r = new SeriesRing(3);
    for (let i = 1; i <= 5; i++) r.push(i * 1000, { cpu: i * 10 });
    expect(r.size).toBe(3);
    const cols = r.since(0, ['cpu', 'gpuUtil']);
    expect(cols.at).toEqual([3000, 4000, 5000]);
    expect(cols.values.cpu).toEqual([30, 40, 50]);
    // A metric never read is null, not 0.
    expect(cols.values.gpuUtil).toEqual([null, null, null]);
  });

  it('returns only points strictly after `since`', () => {
    const r = new SeriesRing(10);
    for (let i = 1; i <= 4; i++) r.push(i, { mem: i });
    expect(r.since(2).at).toEqual([3, 4]);
    expect(r.since(4).at).toEqual([]);
  });

  it('ignores a point older than the newest one', () => {
    const r = new SeriesRing(5);
    r.push(10, { cpu: 1 });
    r.push(5, { cpu: 2 });
    expect(r.since(0).values.cpu).toEqual([1]);
  });

  it('720 points a series: memory does not grow over a day of polls', () => {
    const r = new SeriesRing(720);
    for (let i = 0; i < 8640; i++) r.push(i * 10_000, { gpuUtil: i % 100 });
    const cols = r.since(0, ['gpuUtil']);
    expect(cols.at.length).toBe(720);
    expect(cols.at[0]).toBe((8640 - 720) * 10_000);
  });
});

describe('SeriesStore', () => {
  it('forgets a target with no reading for longer than the window', () => {
    const s = new SeriesStore(10, 1000);
    s.push('instance:1', 0, { cpu: 1 });
    s.push('instance:2', 900, { cpu: 1 });
    s.prune(1500);
    expect(s.targets()).toEqual(['instance:2']);
  });
});
