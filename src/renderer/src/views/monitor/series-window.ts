import { METRICS, type MetricKey } from '../../../../shared/contract/monitor';

/**
 * One target's points in the renderer, in the shape uPlot draws (x in epoch seconds, one array per
 * metric). Bounded twice: points older than the window are dropped, and never more than maxPoints.
 */
export class SeriesWindow {
  readonly at: number[] = [];
  readonly values: Record<MetricKey, (number | null)[]>;
  /** Bumped on every change, so a chart knows when to redraw. */
  version = 0;

  constructor(
    readonly windowMs: number,
    readonly maxPoints: number,
  ) {
    this.values = Object.fromEntries(METRICS.map((m) => [m, []])) as unknown as Record<
      MetricKey,
      (number | null)[]
    >;
  }

  get size(): number {
    return this.at.length;
  }

  /** Adds a point (epoch ms) unless it is not newer than the last one, then drops what is too old. */
  append(atMs: number, values: Partial<Record<MetricKey, number>>): void {
    const t = atMs / 1000;
    const last = this.at[this.at.length - 1];
    if (last !== undefined && t <= last) return;
    this.at.push(t);
    for (const m of METRICS) this.values[m].push(values[m] ?? null);
    this.trim(atMs);
    this.version++;
  }

  /** Appends a batch of column-wise points (a `monitor:samples` reply), oldest first. */
  load(cols: { at: number[]; values: Partial<Record<MetricKey, (number | null)[]>> }): void {
    cols.at.forEach((atMs, i) => {
      const point: Partial<Record<MetricKey, number>> = {};
      for (const m of METRICS) {
        const v = cols.values[m]?.[i];
        if (typeof v === 'number') point[m] = v;
      }
      this.append(atMs, point);
    });
  }

  /** Drops points older than the window before `nowMs`, and the oldest beyond maxPoints. */
  trim(nowMs: number): void {
    const oldest = (nowMs - this.windowMs) / 1000;
    let drop = 0;
    while (drop < this.at.length && (this.at[drop] ?? 0) < oldest) drop++;
    drop = Math.max(drop, this.at.length - this.maxPoints);
    if (drop <= 0) return;
    this.at.splice(0, drop);
    for (const m of METRICS) this.values[m].splice(0, drop);
    this.version++;
  }

  latest(metric: MetricKey): number | null {
    const col = this.values[metric];
    for (let i = col.length - 1; i >= 0; i--) {
      const v = col[i];
      if (v !== null && v !== undefined) return v;
    }
    return null;
  }
}
