import { NVIDIA_SMI_ARGV, parseNvidiaSmi } from './metrics';
import type { SampleValuesData } from './ring-buffer';

/**
 * Utilisation of a Linux box read from /proc and df over one exec (an SSH round trip to a Vast
 * instance costs far more than the reads). Pure parsers; the sampler keeps the previous reading
 * because CPU % and network rates need two.
 *
 * Inside a container, /proc/stat and /proc/meminfo describe the host (unless the host runs lxcfs),
 * while /proc/net/dev and `df /` are the container's own. That is what `top` and `free` show a user
 * who logs in, so the numbers match what they see there.
 */

const MARK = (name: string) => `<<tstudio:${name}>>`;

/** The script of one sample. A constant: nothing from data goes in. */
export const PROC_SAMPLE_SCRIPT = [
  `echo '${MARK('stat')}'`,
  'cat /proc/stat',
  `echo '${MARK('meminfo')}'`,
  'cat /proc/meminfo',
  `echo '${MARK('netdev')}'`,
  'cat /proc/net/dev',
  `echo '${MARK('df')}'`,
  'df -P / 2>&1',
  `echo '${MARK('gpu')}'`,
  // Absent on CPU boxes (and in the sandbox): say so instead of inventing numbers.
  `if command -v nvidia-smi >/dev/null 2>&1; then ${NVIDIA_SMI_ARGV.join(' ')} 2>&1; echo "${MARK('gpu-rc')}$?"; else echo '${MARK('gpu-absent')}'; fi`,
  'true',
].join('\n');

export interface CpuTimes {
  /** Jiffies spent on anything but idle and iowait, all CPUs together. */
  busy: number;
  /** All jiffies (user … steal), all CPUs together. */
  total: number;
  /** The `cpuN` lines. */
  cores: number;
}

export interface MemInfo {
  totalBytes: number;
  /** MemAvailable (what can be had without swapping); MemFree + Buffers + Cached on old kernels. */
  availableBytes: number;
}

export interface NetCounters {
  /** Every interface but loopback, since boot. */
  rxBytes: number;
  txBytes: number;
  /** Per interface, for rates: veths come and go, so a sum alone can go backwards. */
  byInterface: Record<string, { rx: number; tx: number }>;
}

export interface DiskUsage {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
}

export type GpuReading =
  | { status: 'ok'; util: number; memPercent: number; gpus: number }
  | { status: 'absent' }
  | { status: 'error'; message: string };

export interface ProcReading {
  at: number;
  cpu: CpuTimes | null;
  mem: MemInfo | null;
  net: NetCounters | null;
  disk: DiskUsage | null;
  gpu: GpuReading;
}

/** The aggregate `cpu` line: user nice system idle iowait irq softirq steal (guest is inside user). */
export function parseProcStat(text: string): CpuTimes | null {
  let cpu: CpuTimes | null = null;
  let cores = 0;
  for (const line of text.split('\n')) {
    if (/^cpu\d+\s/.test(line)) cores++;
    else if (/^cpu\s/.test(line)) {
      const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
      if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null;
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
      const total = user + nice + system + idle + iowait + irq + softirq + steal;
      cpu = { busy: total - idle - iowait, total, cores: 0 };
    }
  }
  return cpu ? { ...cpu, cores: Math.max(1, cores) } : null;
}

export function parseMeminfo(text: string): MemInfo | null {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]));
  }
  const total = kb.get('MemTotal');
  if (!total) return null;
  const available =
    kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return { totalBytes: total * 1024, availableBytes: Math.min(total, available) * 1024 };
}

/** `  eth0: rxBytes rxPackets … (8 receive columns) txBytes …`, two header lines first. */
export function parseNetDev(text: string): NetCounters | null {
  const byInterface: NetCounters['byInterface'] = {};
  let interfaces = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const fields = m[2]!.trim().split(/\s+/).map(Number);
    if (fields.length < 16 || fields.some((n) => !Number.isFinite(n))) continue;
    interfaces++;
    // By name: some kernels list an interface twice.
    if (m[1] !== 'lo') byInterface[m[1]!] = { rx: fields[0]!, tx: fields[8]! };
  }
  if (interfaces === 0) return null;
  let rxBytes = 0;
  let txBytes = 0;
  for (const c of Object.values(byInterface)) {
    rxBytes += c.rx;
    txBytes += c.tx;
  }
  return { rxBytes, txBytes, byInterface };
}

/** `df -P /`: a header, then `fs 1024-blocks used available capacity% mountpoint`. */
export function parseDfP(text: string): DiskUsage | null {
  for (const line of text.split('\n').slice(1)) {
    // The file system name may hold spaces; the five columns after it never do.
    const m = /(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(\S.*)$/.exec(line.trim());
    if (!m) continue;
    const [total, used, available] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return { totalBytes: total * 1024, usedBytes: used * 1024, availableBytes: available * 1024 };
  }
  return null;
}

function sections(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /<<tstudio:([a-z-]+)>>/g;
  let name: string | null = null;
  let from = 0;
  for (let m = re.exec(stdout); m; m = re.exec(stdout)) {
    if (name) out.set(name, stdout.slice(from, m.index));
    name = m[1]!;
    from = m.index + m[0].length;
    // gpu-rc carries its exit code right after the mark.
    if (name === 'gpu-rc') out.set('gpu-rc', /^\d+/.exec(stdout.slice(from))?.[0] ?? '');
  }
  if (name && !out.has(name)) out.set(name, stdout.slice(from));
  return out;
}

function gpuOf(parts: Map<string, string>): GpuReading {
  if (parts.has('gpu-absent')) return { status: 'absent' };
  const text = parts.get('gpu') ?? '';
  const rc = parts.get('gpu-rc');
  const parsed = rc === '0' ? parseNvidiaSmi(text) : null;
  if (parsed) return { status: 'ok', util: parsed.gpuUtil, memPercent: parsed.gpuMem, gpus: parsed.gpus };
  const message = text.trim().split('\n')[0] || `nvidia-smi exited with ${rc ?? 'no code'}`;
  return { status: 'error', message: message.slice(0, 300) };
}

/** The output of PROC_SAMPLE_SCRIPT; a part that is missing or garbled is null, the rest stands. */
export function parseProcSample(stdout: string, at: number): ProcReading {
  const parts = sections(stdout);
  const part = <T>(name: string, parse: (t: string) => T | null) => {
    const text = parts.get(name);
    return text === undefined ? null : parse(text);
  };
  return {
    at,
    cpu: part('stat', parseProcStat),
    mem: part('meminfo', parseMeminfo),
    net: part('netdev', parseNetDev),
    disk: part('df', parseDfP),
    gpu: gpuOf(parts),
  };
}

/** CPU % like `docker stats` (100 per busy core, up to 100 × cores), the rest as the monitor charts it. */
export function cpuPercentBetween(now: CpuTimes | null, prev: CpuTimes | null): number | null {
  if (!now || !prev) return null;
  const total = now.total - prev.total;
  const busy = now.busy - prev.busy;
  if (!(total > 0) || busy < 0) return null;
  return Math.min(100 * now.cores, (busy / total) * 100 * now.cores);
}

export interface NetRates {
  rxPerSec: number;
  txPerSec: number;
}

/**
 * Bytes per second between two readings, over the interfaces present in both; an interface whose
 * counter went back (re-created, or a reboot) is left out. Null on the first reading.
 */
export function netRatesBetween(now: ProcReading, prev: ProcReading | null): NetRates | null {
  if (!prev?.net || !now.net || !(now.at > prev.at)) return null;
  let rx = 0;
  let tx = 0;
  for (const [name, c] of Object.entries(now.net.byInterface)) {
    const before = prev.net.byInterface[name];
    if (!before || c.rx < before.rx || c.tx < before.tx) continue;
    rx += c.rx - before.rx;
    tx += c.tx - before.tx;
  }
  const seconds = (now.at - prev.at) / 1000;
  return { rxPerSec: rx / seconds, txPerSec: tx / seconds };
}

/** One point for the monitor's series (percent and bytes per second). */
export function procSampleValues(now: ProcReading, prev: ProcReading | null): SampleValuesData {
  const out: SampleValuesData = {};
  const cpu = cpuPercentBetween(now.cpu, prev?.cpu ?? null);
  if (cpu !== null) out.cpu = cpu;
  if (now.mem) out.mem = ((now.mem.totalBytes - now.mem.availableBytes) / now.mem.totalBytes) * 100;
  if (now.disk && now.disk.usedBytes + now.disk.availableBytes > 0)
    // df's own Capacity: used over what a user can have (the root reserve left out).
    out.disk = (now.disk.usedBytes / (now.disk.usedBytes + now.disk.availableBytes)) * 100;
  const net = netRatesBetween(now, prev);
  if (net) {
    out.netRx = net.rxPerSec;
    out.netTx = net.txPerSec;
  }
  if (now.gpu.status === 'ok') {
    out.gpuUtil = now.gpu.util;
    out.gpuMem = now.gpu.memPercent;
  }
  return out;
}
