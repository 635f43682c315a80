import { memo, useEffect } from 'react';
import { connectMonitor, useMonitorStore } from '../monitor/monitor-store';
import { Sparkline } from '../monitor/Sparkline';
import { cost, duration, perHour } from './format';

/**
 * An instance card's live part, from the monitor (one instance-list poll for the whole fleet):
 * utilisation sparklines, what it costs now and so far. Its own component with its own selector,
 * so a poll re-renders this strip of the cards whose figures moved, never the whole card.
 */
export const InstanceLiveStats = memo(function InstanceLiveStats({
  id,
  name,
  uptimeSeconds,
}: {
  id: number;
  name: string;
  uptimeSeconds: number | null;
}) {
  const key = `instance:${id}`;
  const target = useMonitorStore((s) => s.byKey.get(key));
  useEffect(() => void connectMonitor(), []);
  const costSoFar = target?.costSoFar ?? null;
  return (
    <div className="instance-live" aria-label={`Live figures of ${name}`} data-testid="instance-live">
      <figure className="instance-live-chart">
        <figcaption>GPU</figcaption>
        <Sparkline
          target={key}
          metric="gpuUtil"
          width={96}
          height={24}
          label={`GPU utilisation of ${name}`}
        />
      </figure>
      <figure className="instance-live-chart">
        <figcaption>CPU</figcaption>
        <Sparkline target={key} metric="cpu" width={96} height={24} max={null} label={`CPU of ${name}`} />
      </figure>
      <dl className="instance-live-figures">
        <dt>Now</dt>
        <dd
          data-testid="instance-rate"
          title="The price while running, the disk's storage charge while stopped"
        >
          {target ? perHour(target.ratePerHour) : '—'}
        </dd>
        <dt>So far</dt>
        <dd
          data-testid="instance-cost"
          title="An estimate: running time at the price, stopped time at storage"
        >
          {cost(costSoFar)}
        </dd>
        <dt>Uptime</dt>
        <dd data-testid="instance-uptime">{duration(uptimeSeconds)}</dd>
      </dl>
    </div>
  );
});
