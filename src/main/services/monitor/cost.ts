/**
 * Cost arithmetic, pure: no clock, no I/O. Times are epoch SECONDS (Vast's start_date unit), rates
 * are $/hour.
 *
 * What Vast bills (reference/vast-api.md §3–4): `dph_total` per hour while the instance holds its
 * GPU, and only the disk's storage charge while it is stopped. `storage_cost` is $ per GB per month,
 * so a stopped instance costs storage_cost × disk_space / (30 × 24) per hour. The API gives no
 * billing history, so the tracker below builds one from what each poll sees.
 */

const HOURS_PER_MONTH = 30 * 24;

/** The hourly storage charge of a disk: $/GB/month × GB over a 30-day month. */
export function storagePerHour(
  storageCostPerGbMonth: number | null | undefined,
  diskGb: number | null | undefined,
): number {
  if (!storageCostPerGbMonth || !diskGb || storageCostPerGbMonth < 0 || diskGb < 0) return 0;
  return (storageCostPerGbMonth * diskGb) / HOURS_PER_MONTH;
}

/** True when Vast bills only storage: the instance is stopped, or on its way there. */
export function isStoppedForBilling(actualStatus: string | null, intendedStatus: string | null): boolean {
  return actualStatus === 'stopped' || intendedStatus === 'stopped';
}

/** What an instance costs per hour in its current state. */
export function billingRate(input: {
  actualStatus: string | null;
  intendedStatus: string | null;
  dphTotal: number | null | undefined;
  storagePerHour: number;
}): number {
  if (isStoppedForBilling(input.actualStatus, input.intendedStatus)) return input.storagePerHour;
  return input.dphTotal && input.dphTotal > 0 ? input.dphTotal : 0;
}

/** A stretch of time billed at one rate: from `from` until the next segment's `from` (or now). */
export interface RateSegment {
  from: number;
  rate: number;
}

/** Cost of a segment list between two times; each segment runs until the next one starts. */
export function costBetween(segments: readonly RateSegment[], fromSec: number, toSec: number): number {
  let total = 0;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const end = Math.min(segments[i + 1]?.from ?? toSec, toSec);
    const start = Math.max(seg.from, fromSec);
    if (end > start) total += (seg.rate * (end - start)) / 3600;
  }
  return total;
}

/** Local midnight before `nowMs`, in epoch seconds (main's time zone). */
export function localMidnightSec(nowMs: number): number {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  return d.getTime() / 1000;
}

interface Tracked {
  segments: RateSegment[];
  /** Set once the instance is gone; kept until its last charge falls before today. */
  goneAt: number | null;
}

/**
 * Each instance's billing history as polls reveal it. First sight: the current rate is assumed since
 * start_date (the API tells no more). After that, every change of rate (a stop, a start, a new bid
 * price) opens a segment at the poll that saw it.
 */
export class CostTracker {
  private readonly tracked = new Map<string, Tracked>();

  observe(id: string, input: { rate: number; startDate: number | null }, nowSec: number): void {
    const entry = this.tracked.get(id);
    if (!entry || entry.goneAt !== null) {
      const from = input.startDate !== null && input.startDate <= nowSec ? input.startDate : nowSec;
      this.tracked.set(id, { segments: [{ from, rate: input.rate }], goneAt: null });
      return;
    }
    const last = entry.segments[entry.segments.length - 1]!;
    if (last.rate !== input.rate)
      entry.segments.push({ from: Math.max(nowSec, last.from), rate: input.rate });
  }

  /** The instance is destroyed: billing stops; its spend still counts toward today. */
  gone(id: string, nowSec: number): void {
    const entry = this.tracked.get(id);
    if (!entry || entry.goneAt !== null) return;
    entry.segments.push({ from: nowSec, rate: 0 });
    entry.goneAt = nowSec;
  }

  has(id: string): boolean {
    const entry = this.tracked.get(id);
    return entry !== undefined && entry.goneAt === null;
  }

  ids(): string[] {
    return [...this.tracked.entries()].filter(([, e]) => e.goneAt === null).map(([id]) => id);
  }

  costSoFar(id: string, nowSec: number): number | null {
    const entry = this.tracked.get(id);
    return entry ? costBetween(entry.segments, -Infinity, nowSec) : null;
  }

  costSince(id: string, sinceSec: number, nowSec: number): number | null {
    const entry = this.tracked.get(id);
    return entry ? costBetween(entry.segments, sinceSec, nowSec) : null;
  }

  /** Everything spent since a time, destroyed instances included. */
  spendSince(sinceSec: number, nowSec: number): number {
    let total = 0;
    for (const entry of this.tracked.values()) total += costBetween(entry.segments, sinceSec, nowSec);
    return total;
  }

  /** Forgets destroyed instances whose last charge ended before `beforeSec` (yesterday's). */
  prune(beforeSec: number): void {
    for (const [id, entry] of this.tracked) {
      if (entry.goneAt !== null && entry.goneAt < beforeSec) this.tracked.delete(id);
    }
  }
}
