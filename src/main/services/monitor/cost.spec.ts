import { describe, expect, it } from 'vitest';
import { billingRate, costBetween, CostTracker, localMidnightSec, storagePerHour } from './cost';

const H = 3600;

describe('storagePerHour', () => {
  it('is $/GB/month × GB over a 30-day month', () => {
    // 0.15 $/GB/month × 100 GB = 15 $/month = 15 / 720 $/h
    expect(storagePerHour(0.15, 100)).toBeCloseTo(0.0208333, 6);
    expect(storagePerHour(null, 100)).toBe(0);
    expect(storagePerHour(0.15, null)).toBe(0);
  });
});

describe('billingRate', () => {
  it('is dph_total while the instance holds its GPU, storage only once stopped', () => {
    const base = { dphTotal: 0.4, storagePerHour: 0.02 };
    expect(billingRate({ ...base, actualStatus: 'running', intendedStatus: 'running' })).toBe(0.4);
    expect(billingRate({ ...base, actualStatus: 'loading', intendedStatus: 'running' })).toBe(0.4);
    expect(billingRate({ ...base, actualStatus: 'stopped', intendedStatus: 'stopped' })).toBe(0.02);
    // Stopping: Vast stops billing the GPU once asked to.
    expect(billingRate({ ...base, actualStatus: 'running', intendedStatus: 'stopped' })).toBe(0.02);
  });
});

describe('costBetween', () => {
  it('sums each segment until the next one starts', () => {
    // 3 h at 0.40 then 5 h at 0.0208333 (stopped, storage) = 1.20 + 0.1041667
    const segs = [
      { from: 0, rate: 0.4 },
      { from: 3 * H, rate: (0.15 * 100) / 720 },
    ];
    expect(costBetween(segs, -Infinity, 8 * H)).toBeCloseTo(1.3041667, 6);
    // Only the last 2 hours: all of them stopped.
    expect(costBetween(segs, 6 * H, 8 * H)).toBeCloseTo(0.0416667, 6);
    // A window inside the first segment.
    expect(costBetween(segs, 1 * H, 2 * H)).toBeCloseTo(0.4, 9);
  });
});

describe('CostTracker', () => {
  it('running for two hours at $0.50/h has cost $1.00', () => {
    const t = new CostTracker();
    t.observe('1', { rate: 0.5, startDate: 1000 }, 1000 + 2 * H);
    expect(t.costSoFar('1', 1000 + 2 * H)).toBeCloseTo(1.0, 9);
  });

  it('counts a stopped period at the storage rate from the poll that saw the stop', () => {
    const t = new CostTracker();
    const start = 10_000;
    t.observe('7', { rate: 0.4, startDate: start }, start + 60);
    t.observe('7', { rate: 0.4, startDate: start }, start + 3 * H); // still running
    const storage = storagePerHour(0.15, 100);
    t.observe('7', { rate: storage, startDate: start }, start + 3 * H); // stopped seen here
    t.observe('7', { rate: storage, startDate: start }, start + 6 * H);
    t.observe('7', { rate: 0.4, startDate: start }, start + 8 * H); // started again
    // 3 h × 0.40 + 5 h × 0.0208333 + 1 h × 0.40 = 1.20 + 0.1041667 + 0.40
    expect(t.costSoFar('7', start + 9 * H)).toBeCloseTo(1.7041667, 6);
  });

  it('splits spend at local midnight and keeps destroyed instances in today’s spend', () => {
    const t = new CostTracker();
    const midnight = localMidnightSec(Date.UTC(2026, 0, 15, 12));
    // Started at 22:00 yesterday at $1/h; now 02:00.
    t.observe('a', { rate: 1, startDate: midnight - 2 * H }, midnight + 2 * H);
    expect(t.costSoFar('a', midnight + 2 * H)).toBeCloseTo(4, 9);
    expect(t.costSince('a', midnight, midnight + 2 * H)).toBeCloseTo(2, 9);
    // Another ran from 00:30 to 01:30 at $2/h, then was destroyed.
    t.observe('b', { rate: 2, startDate: midnight + 0.5 * H }, midnight + 0.5 * H);
    t.gone('b', midnight + 1.5 * H);
    expect(t.has('b')).toBe(false);
    expect(t.spendSince(midnight, midnight + 2 * H)).toBeCloseTo(2 + 2, 9);
    // Tomorrow the destroyed one is forgotten.
    t.prune(midnight + 24 * H);
    expect(t.spendSince(midnight, midnight + 2 * H)).toBeCloseTo(2, 9);
  });

  it('a start_date in the future (clock skew) counts from the poll, not before', () => {
    const t = new CostTracker();
    t.observe('x', { rate: 1, startDate: 5 * H }, 1 * H);
    expect(t.costSoFar('x', 2 * H)).toBeCloseTo(1, 9);
  });
});

describe('localMidnightSec', () => {
  it('is a local midnight no later than now and less than a day before', () => {
    const now = Date.UTC(2026, 5, 1, 15, 30);
    const m = localMidnightSec(now);
    const d = new Date(m * 1000);
    expect([d.getHours(), d.getMinutes(), d.getSeconds()]).toEqual([0, 0, 0]);
    expect(now / 1000 - m).toBeGreaterThanOrEqual(0);
    expect(now / 1000 - m).toBeLessThan(86_400);
  });
});
