import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { InstanceMetrics } from '../../../../shared/contract/instance-inspect';
import { api, asAppError } from '../../api';
import { useOperation } from '../../stores/operations-store';
import './instances.css';

export type InstanceMetricsData = z.output<typeof InstanceMetrics>;

/**
 * Keeps an `instances:watchMetrics` operation alive while the caller is mounted: main samples the
 * instance's /proc over SSH every 5 s and feeds the monitor's series for `instance:<id>`, so the
 * monitor's charts of a watched instance fill in. Pass null to watch nothing.
 */
export function useInstanceMetricsWatch(instanceId: number | null): {
  latest: InstanceMetricsData | null;
  unreachable: string | null;
  error: string | null;
} {
  const [opId, setOpId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const op = useOperation(opId);

  useEffect(() => {
    if (instanceId === null) return;
    let id: string | null = null;
    let cancelled = false;
    api['instances:watchMetrics']({ instanceId }).then(
      (r) => {
        id = r.opId;
        if (cancelled) void api['operations:cancel']({ id: r.opId });
        else setOpId(r.opId);
      },
      (err) => setError(asAppError(err).message),
    );
    return () => {
      cancelled = true;
      if (id) void api['operations:cancel']({ id }).catch(() => undefined);
    };
  }, [instanceId]);

  let latest: InstanceMetricsData | null = null;
  let unreachable: string | null = null;
  for (let i = (op?.events.length ?? 0) - 1; i >= 0 && !latest; i--) {
    const e = op!.events[i]!;
    if (e.type === 'sample') latest = e.data as InstanceMetricsData;
    else if (e.type === 'unreachable' && unreachable === null)
      unreachable = (e.data as { message?: string }).message ?? 'unreachable';
  }
  const failed = op?.summary?.state === 'failed' ? (op.summary.error?.message ?? 'failed') : null;
  return { latest, unreachable, error: error ?? failed };
}

function bytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 && u > 0 ? 1 : 0)} ${units[u]}`;
}

function share(used: number | null, total: number | null): string {
  if (used === null || total === null || total <= 0) return 'not reported';
  return `${bytes(used)} of ${bytes(total)} (${((used / total) * 100).toFixed(0)} %)`;
}

function gpuText(gpu: InstanceMetricsData['gpu']): string {
  if (gpu.status === 'absent') return 'none: nvidia-smi is not on this instance';
  if (gpu.status === 'error') return `nvidia-smi failed: ${gpu.message}`;
  return `${gpu.util.toFixed(0)} % busy, memory ${gpu.memPercent.toFixed(0)} % used (${gpu.gpus} GPU${gpu.gpus === 1 ? '' : 's'})`;
}

/**
 * What an instance is using right now, read over SSH from /proc, df and nvidia-smi every 5 s while
 * this is shown. Mount it only while the instance runs.
 */
export function InstanceMetricsPanel({ instanceId }: { instanceId: number }) {
  const { latest: m, unreachable, error } = useInstanceMetricsWatch(instanceId);
  return (
    <section className="instance-metrics" aria-label={`Utilisation of instance ${instanceId}`}>
      <h3>Utilisation</h3>
      {error ? (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
      {unreachable ? (
        <p className="banner instance-warning" role="status">
          Cannot read the instance right now ({unreachable}); trying again.
        </p>
      ) : null}
      {!m && !error ? <p className="muted">Reading /proc over SSH…</p> : null}
      {m ? (
        <>
          <dl className="facts" data-testid="instance-metrics">
            <dt>CPU</dt>
            <dd>
              {m.cpuPercent === null ? (
                <span className="muted">measured from the second sample on…</span>
              ) : (
                <>
                  {m.cpuPercent.toFixed(0)} %{' '}
                  <span className="muted small">
                    (100 % is one busy core; {m.cores} core{m.cores === 1 ? '' : 's'})
                  </span>
                </>
              )}
            </dd>
            <dt>Memory</dt>
            <dd>{share(m.memUsedBytes, m.memTotalBytes)}</dd>
            <dt>Disk /</dt>
            <dd>
              {m.diskUsedBytes === null || m.diskTotalBytes === null ? (
                'not reported'
              ) : (
                <>
                  {bytes(m.diskUsedBytes)} of {bytes(m.diskTotalBytes)}
                  {m.values.disk !== undefined ? (
                    <>
                      {' '}
                      ({m.values.disk.toFixed(0)} %{' '}
                      <span className="muted small">of what is usable, as df counts it</span>)
                    </>
                  ) : null}
                </>
              )}
            </dd>
            <dt>Network</dt>
            <dd>
              {m.netRxPerSec === null || m.netTxPerSec === null ? (
                <span className="muted">rates from the second sample on…</span>
              ) : (
                <>
                  in {bytes(m.netRxPerSec)}/s · out {bytes(m.netTxPerSec)}/s
                </>
              )}{' '}
              <span className="muted small">
                ({bytes(m.netRxBytes)} in, {bytes(m.netTxBytes)} out since boot)
              </span>
            </dd>
            <dt>GPU</dt>
            <dd data-testid="instance-gpu">{gpuText(m.gpu)}</dd>
          </dl>
          <p className="muted small">
            Over SSH every 5 s while shown; last read {new Date(m.at).toLocaleTimeString()}. CPU and memory
            are the machine&apos;s as seen inside the container (as top and free show them).
          </p>
        </>
      ) : null}
    </section>
  );
}
