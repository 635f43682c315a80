import type { MetricKey } from '../../../../shared/contract/monitor';
import { cost, perHour } from '../vast/format';
import type { TargetData } from './monitor-api';
import { seriesOf } from './monitor-store';
import { BootProgress } from './BootProgress';
import { Sparkline } from './Sparkline';
import { stateLabel } from './TargetList';

const CHARTS: { metric: MetricKey; title: string; max: number | null; unit: 'pct' | 'rate' }[] = [
  { metric: 'gpuUtil', title: 'GPU utilisation', max: 100, unit: 'pct' },
  { metric: 'gpuMem', title: 'GPU memory', max: 100, unit: 'pct' },
  { metric: 'cpu', title: 'CPU', max: null, unit: 'pct' },
  { metric: 'mem', title: 'Memory', max: 100, unit: 'pct' },
  { metric: 'netRx', title: 'Network in', max: null, unit: 'rate' },
  { metric: 'netTx', title: 'Network out', max: null, unit: 'rate' },
  { metric: 'disk', title: 'Disk used', max: 100, unit: 'pct' },
];

function show(v: number | null, unit: 'pct' | 'rate'): string {
  if (v === null) return 'not reported';
  if (unit === 'pct') return `${v.toFixed(v < 10 ? 1 : 0)} %`;
  if (v < 1024) return `${v.toFixed(0)} B/s`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KiB/s`;
  return `${(v / 1024 / 1024).toFixed(1)} MiB/s`;
}

/** One target's charts, each metric with its own scale, and what it costs. */
export function TargetDetail({ target: t, version }: { target: TargetData; version: number }) {
  const w = seriesOf(t.key);
  return (
    <section className="monitor-detail" aria-label={`Charts of ${t.name}`} data-version={version}>
      <header className="monitor-detail-head">
        <h2>{t.name}</h2>
        <span className={`monitor-state monitor-state-${t.state}`}>{stateLabel(t)}</span>
        {t.kind === 'instance' ? (
          <span className="muted">
            {t.gpuName ?? ''} · {perHour(t.ratePerHour)} · {cost(t.costSoFar)} so far · {cost(t.costToday)}{' '}
            today
          </span>
        ) : (
          <span className="muted">local run</span>
        )}
        <a href={t.kind === 'instance' ? '#/vast' : '#/runs'}>
          Open in {t.kind === 'instance' ? 'Vast' : 'Local runs'}
        </a>
      </header>
      {t.statusMsg ? <p className="muted monitor-detail-msg">{t.statusMsg}</p> : null}
      {t.kind === 'run' ? <BootProgress key={t.key} target={t.key} /> : null}
      <div className="monitor-charts">
        {CHARTS.map((c) => (
          <figure key={c.metric} className="monitor-figure">
            <figcaption>
              {c.title} <span className="muted">{show(w?.latest(c.metric) ?? null, c.unit)}</span>
            </figcaption>
            <Sparkline
              target={t.key}
              metric={c.metric}
              axes
              width={260}
              height={110}
              max={c.max}
              label={`${c.title} of ${t.name}`}
            />
          </figure>
        ))}
      </div>
    </section>
  );
}
