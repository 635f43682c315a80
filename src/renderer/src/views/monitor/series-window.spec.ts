import { describe, expect, it } from 'vitest';
import { SeriesWindow } from './series-window';

describe('SeriesWindow (what the charts draw)', () => {
  it('receives points and keeps them in uPlot order, x in seconds', () => {
    const w = new SeriesWindow(60_000, 100);
    w.append(1_000, { cpu: 10, gpuUtil: 50 });
    w.append(2_000, { cpu: 20 });
    expect(w.at).toEqual([1, 2]);
    expect(w.values.cpu).toEqual([10, 20]);
    expect(w.values.gpuUtil).toEqual([50, null]);
    expect(w.latest('gpuUtil')).toBe(50);
  });

  it('drops points older than the window', () => {
    const w = new SeriesWindow(10_000, 100);
    for (let t = 0; t <= 30_000; t += 5_000) w.append(t, { mem: t / 1000 });
    // window 10 s before 30 s: 20, 25, 30
    expect(w.at).toEqual([20, 25, 30]);
    expect(w.values.mem).toEqual([20, 25, 30]);
  });

  it('never holds more than maxPoints, however dense the points', () => {
    const w = new SeriesWindow(3_600_000, 50);
    for (let t = 1; t <= 1000; t++) w.append(t, { cpu: t });
    expect(w.size).toBe(50);
    expect(w.values.cpu[0]).toBe(951);
    expect(Object.values(w.values).every((col) => col.length === 50)).toBe(true);
  });

  it('ignores a point that is not newer (a replayed sample after a reconnect)', () => {
    const w = new SeriesWindow(60_000, 10);
    w.load({ at: [1_000, 2_000], values: { cpu: [1, 2] } });
    w.append(2_000, { cpu: 99 });
    w.load({ at: [1_500, 3_000], values: { cpu: [5, 3] } });
    expect(w.values.cpu).toEqual([1, 2, 3]);
  });
});
