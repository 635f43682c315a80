import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MetricKey } from '../../../../shared/contract/monitor';
import { addChart, type LiveChart } from './live-charts';
import { seriesOf } from './monitor-store';

export interface SparklineProps {
  target: string;
  metric: MetricKey;
  width?: number;
  height?: number;
  /** Axes and a time scale (the detail charts); a bare line otherwise. */
  axes?: boolean;
  /** The y range; null: fit the data (bytes per second). */
  max?: number | null;
  label: string;
  /** The newest points drawn; a sparkline shows the recent trend, not two hours. */
  points?: number;
}

/** 15 minutes at the product's 10 s interval. */
const SPARK_POINTS = 90;

const COLORS: Record<MetricKey, string> = {
  gpuUtil: '#2f6feb',
  gpuMem: '#8250df',
  cpu: '#1a7f37',
  mem: '#bf8700',
  disk: '#6e7781',
  netRx: '#0969da',
  netTx: '#cf222e',
};

const EMPTY: uPlot.AlignedData = [[], []];

/**
 * A small live chart of one metric of one target, drawn by uPlot from the bounded SeriesWindow.
 * It redraws when a poll changed its series (live-charts), never more often and never through a
 * React render: the component renders once and the poll draws it.
 */
/** Memo'd: a parent's render per poll does not reach the chart, which the poll draws directly. */
export const Sparkline = memo(function Sparkline({
  target,
  metric,
  width = 120,
  height = 28,
  axes = false,
  max = 100,
  label,
  points = axes ? Infinity : SPARK_POINTS,
}: SparklineProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!host.current) return;
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: false },
      cursor: { show: axes, points: { show: false } },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      padding: axes ? undefined : [2, 0, 2, 0],
      scales: {
        x: { time: axes },
        y:
          max === null
            ? { auto: true, range: (_u, lo, hi) => [Math.min(0, lo), Math.max(1, hi)] }
            : { auto: false, range: [0, max] },
      },
      axes: axes
        ? [
            { size: 24, font: '10px system-ui' },
            { size: 36, font: '10px system-ui' },
          ]
        : [{ show: false }, { show: false }],
      series: [
        {},
        { stroke: COLORS[metric], fill: `${COLORS[metric]}22`, width: 1, points: { show: false } },
      ],
    };
    const plot = new uPlot(opts, EMPTY, host.current);
    const chart: LiveChart = {
      target,
      metric,
      drawn: -1,
      draw(w) {
        const from = Math.max(0, w.at.length - points);
        const data = from === 0 ? [w.at, w.values[metric]] : [w.at.slice(from), w.values[metric].slice(from)];
        const xs = data[0]!;
        if (xs.length === 1) {
          // One point has no span: uPlot would spread the time axis over years. Show its last minute.
          plot.setData(data as uPlot.AlignedData, false);
          plot.setScale('x', { min: xs[0]! - 60, max: xs[0]! });
        } else {
          plot.setData(data as uPlot.AlignedData);
        }
      },
    };
    const remove = addChart(chart, seriesOf(target));
    return () => {
      remove();
      plot.destroy();
    };
  }, [target, width, height, axes, max, metric, points]);

  return (
    <div ref={host} className={axes ? 'monitor-chart' : 'monitor-sparkline'} role="img" aria-label={label} />
  );
});
