import type { MetricKey } from '../../../../shared/contract/monitor';
import type { SeriesWindow } from './series-window';

/** What a mounted chart needs to redraw itself from its target's series. */
export interface LiveChart {
  target: string;
  metric: MetricKey;
  /** Draws the window's current points (the chart decides how many). */
  draw(w: SeriesWindow): void;
  /** The window version last drawn, so an unchanged series is not drawn again. */
  drawn: number;
}

/**
 * The charts on screen. A poll redraws them straight from here, not through React: 40 charts
 * re-rendering as components on every poll would cost more than drawing them.
 */
const charts = new Set<LiveChart>();

export function addChart(chart: LiveChart, series: SeriesWindow | undefined): () => void {
  charts.add(chart);
  if (series) drawIfChanged(chart, series);
  return () => charts.delete(chart);
}

export function drawIfChanged(chart: LiveChart, w: SeriesWindow): void {
  if (w.version === chart.drawn) return;
  chart.drawn = w.version;
  chart.draw(w);
}

/** Redraws every chart whose series changed; `seriesOf` finds a target's window. */
export function redrawCharts(seriesOf: (target: string) => SeriesWindow | undefined): void {
  for (const c of charts) {
    const w = seriesOf(c.target);
    if (w) drawIfChanged(c, w);
  }
}

export function liveChartCount(): number {
  return charts.size;
}
