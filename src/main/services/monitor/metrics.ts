import type { SampleValuesData } from './ring-buffer';

/**
 * Readings from each source, as percent (0–100) and bytes per second. Pure functions: the service
 * keeps the previous reading where a rate needs two.
 */

/**
 * reference/vast-api.md §3 is unsure of the metrics' units: the docs say fractions, the CLI labels
 * gpu_util "Util. %". A value up to 1 is read as a fraction, above as a percent. The one value this
 * misreads (exactly 1 %) is harmless on a chart.
 */
export function percentOf(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  return Math.min(100, v <= 1 ? v * 100 : v);
}

function ratio(used: unknown, total: unknown): number | undefined {
  if (typeof used !== 'number' || typeof total !== 'number' || !(total > 0) || used < 0) return undefined;
  return Math.min(100, (used / total) * 100);
}

/**
 * What the instance list tells about a running instance (metrics are null until running).
 * mem_usage/mem_limit and disk_usage/disk_space are read in the same unit (GB in every example seen).
 * vmem_usage is the GPU memory in use, in the unit of gpu_ram (MB).
 */
export function instanceSample(i: Record<string, unknown>): SampleValuesData {
  if (i.actual_status !== 'running') return {};
  const out: SampleValuesData = {};
  const gpu = percentOf(i.gpu_util);
  if (gpu !== undefined) out.gpuUtil = gpu;
  const vmem =
    typeof i.vmem_usage === 'number' && typeof i.gpu_ram === 'number'
      ? ratio(i.vmem_usage, i.gpu_ram)
      : undefined;
  if (vmem !== undefined) out.gpuMem = vmem;
  const cpu = percentOf(i.cpu_util);
  if (cpu !== undefined) out.cpu = cpu;
  const mem = ratio(i.mem_usage, i.mem_limit);
  if (mem !== undefined) out.mem = mem;
  const disk = ratio(i.disk_usage, i.disk_space);
  if (disk !== undefined) out.disk = disk;
  return out;
}

/** The parts of a `docker stats` (stream: false) reply the monitor reads. */
export interface DockerStatsData {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** Cumulative counters kept between two polls of one container. */
export interface StatsCounters {
  atMs: number;
  cpuTotal: number;
  systemTotal: number;
  rx: number;
  tx: number;
}

export function countersOf(stats: DockerStatsData, atMs: number): StatsCounters {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(stats.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return {
    atMs,
    cpuTotal: stats.cpu_stats?.cpu_usage?.total_usage ?? 0,
    systemTotal: stats.cpu_stats?.system_cpu_usage ?? 0,
    rx,
    tx,
  };
}

/**
 * docker stats in the CLI's terms: CPU % of one core × cores (like `docker stats`), memory without
 * the page cache (cgroup v2 `inactive_file`, v1 `total_inactive_file`, as the CLI subtracts), and
 * network rates from the previous poll's counters (none on the first poll).
 */
export function runSample(
  stats: DockerStatsData,
  now: StatsCounters,
  prev: StatsCounters | null,
): SampleValuesData {
  const out: SampleValuesData = {};
  const cpus = stats.cpu_stats?.online_cpus ?? 1;
  const base = prev ?? {
    cpuTotal: stats.precpu_stats?.cpu_usage?.total_usage ?? 0,
    systemTotal: stats.precpu_stats?.system_cpu_usage ?? 0,
  };
  const cpuDelta = now.cpuTotal - base.cpuTotal;
  const sysDelta = now.systemTotal - base.systemTotal;
  if (sysDelta > 0 && cpuDelta >= 0 && base.systemTotal > 0) out.cpu = (cpuDelta / sysDelta) * cpus * 100;
  const mem = stats.memory_stats;
  if (mem?.usage !== undefined && mem.limit) {
    const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? 0;
    out.mem = Math.min(100, (Math.max(0, mem.usage - cache) / mem.limit) * 100);
  }
  if (prev && now.atMs > prev.atMs) {
    const seconds = (now.atMs - prev.atMs) / 1000;
    if (now.rx >= prev.rx) out.netRx = (now.rx - prev.rx) / seconds;
    if (now.tx >= prev.tx) out.netTx = (now.tx - prev.tx) / seconds;
  }
  return out;
}

/** The argv of the GPU probe (never a shell string). */
export const NVIDIA_SMI_ARGV = [
  'nvidia-smi',
  '--query-gpu=utilization.gpu,memory.used,memory.total',
  '--format=csv,noheader,nounits',
] as const;

/**
 * `45, 1024, 24576` per GPU → mean utilisation, memory used over total across GPUs. Lines that do
 * not parse (`[N/A]`, an error) are left out; null when none parses.
 */
export function parseNvidiaSmi(stdout: string): { gpuUtil: number; gpuMem: number; gpus: number } | null {
  let util = 0;
  let used = 0;
  let total = 0;
  let gpus = 0;
  for (const line of stdout.split('\n')) {
    const parts = line.split(',').map((p) => Number(p.trim()));
    if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) continue;
    const [u, m, t] = parts as [number, number, number];
    util += u;
    used += m;
    total += t;
    gpus++;
  }
  if (gpus === 0) return null;
  return { gpuUtil: util / gpus, gpuMem: total > 0 ? (used / total) * 100 : 0, gpus };
}
