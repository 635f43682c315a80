import { METRICS, type MetricKey } from '../../../shared/contract/monitor';

export type SampleValuesData = Partial<Record<MetricKey, number>>;

export interface SeriesColumns {
  at: number[];
  values: Partial<Record<MetricKey, (number | null)[]>>;
}

/**
 * One target's readings in fixed memory: a ring of `capacity` points (time + one slot per metric,
 * NaN for "not known"). The oldest point is overwritten, so memory never grows while the app runs.
 */
export class SeriesRing {
  private readonly at: Float64Array;
  private readonly columns: Record<MetricKey, Float64Array>;
  /** Index of the next write. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.at = new Float64Array(capacity);
    this.columns = Object.fromEntries(METRICS.map((m) => [m, new Float64Array(capacity)])) as Record<
      MetricKey,
      Float64Array
    >;
  }

  get size(): number {
    return this.count;
  }

  /** Appends a point; one older than the newest is dropped (clocks only move forward here). */
  push(at: number, values: SampleValuesData): void {
    if (this.count > 0 && at < this.newestAt()) return;
    this.at[this.head] = at;
    for (const m of METRICS) {
      const v = values[m];
      this.columns[m]![this.head] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    }
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  newestAt(): number {
    return this.count === 0
      ? -Infinity
      : (this.at[(this.head - 1 + this.capacity) % this.capacity] ?? -Infinity);
  }

  /** The points strictly after `since`, oldest first, column-wise. */
  since(since: number, metrics: readonly MetricKey[] = METRICS): SeriesColumns {
    const at: number[] = [];
    const values: Partial<Record<MetricKey, (number | null)[]>> = {};
    for (const m of metrics) values[m] = [];
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.capacity;
      const t = this.at[i] ?? 0;
      if (t <= since) continue;
      at.push(t);
      for (const m of metrics) {
        const v = this.columns[m]![i] ?? NaN;
        values[m]!.push(Number.isNaN(v) ? null : v);
      }
    }
    return { at, values };
  }
}

/** Rings per target, forgotten once a target has had no reading for `forgetAfterMs`. */
export class SeriesStore {
  private readonly rings = new Map<string, SeriesRing>();

  constructor(
    private readonly capacity: number,
    private readonly forgetAfterMs: number,
  ) {}

  push(target: string, at: number, values: SampleValuesData): void {
    let ring = this.rings.get(target);
    if (!ring) {
      ring = new SeriesRing(this.capacity);
      this.rings.set(target, ring);
    }
    ring.push(at, values);
  }

  /** Drops the rings of targets gone for long (destroyed instances, removed runs). */
  prune(now: number): void {
    for (const [target, ring] of this.rings) {
      if (now - ring.newestAt() > this.forgetAfterMs) this.rings.delete(target);
    }
  }

  targets(): string[] {
    return [...this.rings.keys()];
  }

  get(target: string): SeriesRing | undefined {
    return this.rings.get(target);
  }
}
