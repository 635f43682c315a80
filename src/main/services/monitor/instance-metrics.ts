import type { ExecTransport } from '../supervisor/index';
import { parseProcSample, procSampleValues, PROC_SAMPLE_SCRIPT, type ProcReading } from './proc-metrics';
import { cpuPercentBetween, netRatesBetween } from './proc-metrics';
import type { SampleValuesData } from './ring-buffer';

/** One instance's utilisation as read over SSH, with the raw figures a detail view shows. */
export interface InstanceMetricsData {
  instanceId: number;
  at: number;
  /** 100 per busy core (null on the first sample: CPU % needs two). */
  cpuPercent: number | null;
  cores: number | null;
  memTotalBytes: number | null;
  memUsedBytes: number | null;
  diskTotalBytes: number | null;
  diskUsedBytes: number | null;
  /** Counters since boot, every interface but loopback. */
  netRxBytes: number | null;
  netTxBytes: number | null;
  netRxPerSec: number | null;
  netTxPerSec: number | null;
  gpu: ProcReading['gpu'];
  /** The point fed to the monitor's series. */
  values: SampleValuesData;
}

export interface InstanceMetricsSamplerOptions {
  /** An exec transport into the instance (SSH with the app's key); throws when it cannot be reached. */
  transportFor: (instanceId: number, signal?: AbortSignal) => Promise<ExecTransport>;
  /** Every new sample goes here (the monitor's series for `instance:<id>`). */
  onSample?: (sample: InstanceMetricsData) => void;
  /** No instance is sampled more often than this, however many watch it (ms). */
  minIntervalMs?: number;
  now?: () => number;
}

export interface MetricsListener {
  onSample?: (sample: InstanceMetricsData) => void;
  /** A sample failed (SSH down, instance stopped); the watch goes on trying. */
  onError?: (err: unknown) => void;
}

interface Watch {
  listeners: Set<MetricsListener>;
  timer: NodeJS.Timeout | null;
  abort: AbortController;
}

/**
 * Samples /proc (and nvidia-smi where present) on instances over one exec each, at most every
 * `minIntervalMs` per instance, and only while something watches it: an SSH round trip per instance
 * every few seconds is fine for the few a user is looking at, not for a fleet of 500.
 */
export class InstanceMetricsSampler {
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly last = new Map<number, { reading: ProcReading; data: InstanceMetricsData }>();
  private readonly inFlight = new Map<number, Promise<InstanceMetricsData>>();
  private readonly watches = new Map<number, Watch>();

  constructor(private readonly options: InstanceMetricsSamplerOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** A fresh sample, or the last one while it is younger than the minimum interval. */
  sample(instanceId: number, signal?: AbortSignal): Promise<InstanceMetricsData> {
    const last = this.last.get(instanceId);
    if (last && this.now() - last.data.at < this.minIntervalMs) return Promise.resolve(last.data);
    let pending = this.inFlight.get(instanceId);
    if (!pending) {
      pending = this.read(instanceId, signal).finally(() => this.inFlight.delete(instanceId));
      this.inFlight.set(instanceId, pending);
    }
    return pending;
  }

  /** Samples every minimum interval until every watcher has called the function it got back. */
  watch(instanceId: number, listener: MetricsListener = {}): () => void {
    let w = this.watches.get(instanceId);
    const first = !w;
    if (!w) {
      w = { listeners: new Set(), timer: null, abort: new AbortController() };
      this.watches.set(instanceId, w);
    }
    // Its own object, so the same listener given twice is two watchers.
    const own: MetricsListener = { ...listener };
    w.listeners.add(own);
    if (first) this.tick(instanceId, w);
    return () => {
      const current = this.watches.get(instanceId);
      if (!current?.listeners.delete(own) || current.listeners.size > 0) return;
      current.abort.abort();
      if (current.timer) clearTimeout(current.timer);
      this.watches.delete(instanceId);
    };
  }

  watching(): number[] {
    return [...this.watches.keys()];
  }

  /** Forgets an instance's previous reading (destroyed, or rebooted: its counters start again). */
  forget(instanceId: number): void {
    this.last.delete(instanceId);
  }

  dispose(): void {
    for (const w of this.watches.values()) {
      w.abort.abort();
      if (w.timer) clearTimeout(w.timer);
    }
    this.watches.clear();
  }

  private tick(instanceId: number, w: Watch): void {
    void this.sample(instanceId, w.abort.signal)
      .catch((err: unknown) => {
        if (w.abort.signal.aborted) return;
        for (const l of w.listeners) l.onError?.(err);
      })
      .finally(() => {
        if (w.abort.signal.aborted) return;
        w.timer = setTimeout(() => this.tick(instanceId, w), this.minIntervalMs);
        w.timer.unref?.();
      });
  }

  private async read(instanceId: number, signal?: AbortSignal): Promise<InstanceMetricsData> {
    const transport = await this.options.transportFor(instanceId, signal);
    const result = await transport.exec(['sh', '-c', PROC_SAMPLE_SCRIPT], { signal, timeoutMs: 15_000 });
    const reading = parseProcSample(result.stdout, this.now());
    const prev = this.last.get(instanceId)?.reading ?? null;
    const rates = netRatesBetween(reading, prev);
    const data: InstanceMetricsData = {
      instanceId,
      at: reading.at,
      cpuPercent: cpuPercentBetween(reading.cpu, prev?.cpu ?? null),
      cores: reading.cpu?.cores ?? null,
      memTotalBytes: reading.mem?.totalBytes ?? null,
      memUsedBytes: reading.mem ? reading.mem.totalBytes - reading.mem.availableBytes : null,
      diskTotalBytes: reading.disk?.totalBytes ?? null,
      diskUsedBytes: reading.disk?.usedBytes ?? null,
      netRxBytes: reading.net?.rxBytes ?? null,
      netTxBytes: reading.net?.txBytes ?? null,
      netRxPerSec: rates?.rxPerSec ?? null,
      netTxPerSec: rates?.txPerSec ?? null,
      gpu: reading.gpu,
      values: procSampleValues(reading, prev),
    };
    this.last.set(instanceId, { reading, data });
    this.options.onSample?.(data);
    for (const l of this.watches.get(instanceId)?.listeners ?? []) l.onSample?.(data);
    return data;
  }
}
