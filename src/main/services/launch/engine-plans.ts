import { execFile } from 'node:child_process';
import type Docker from 'dockerode';
import { demuxBuffer } from './demux-buffer';

/** What a run needs from `docker info`: runtimes (GPUs) and the storage driver (disk size). */
export type EngineInfo = {
  Runtimes?: Record<string, unknown>;
  Driver?: string;
  DriverStatus?: [string, string][];
};

export interface GpuPlan {
  /** GPU_COUNT, as Vast sets it: the GPUs the container gets. */
  count: number;
  deviceRequests: Docker.DeviceRequest[] | null;
  /** Why the run is CPU-only, when it is. */
  warning: string | null;
}

/** How many GPUs the engine's machine has, and how that was learnt (for the warning when none). */
export type GpuCounter = () => Promise<{ count: number; how: string }>;

/**
 * GPUs go to the container, as on Vast, when the engine has the NVIDIA runtime and its machine has
 * GPUs; GPU_COUNT matches. Otherwise the run is CPU-only and says so.
 */
export async function gpuPlanOf(info: EngineInfo, countGpus: GpuCounter): Promise<GpuPlan> {
  if (!info.Runtimes || !('nvidia' in info.Runtimes)) {
    return {
      count: 0,
      deviceRequests: null,
      warning: 'The engine has no NVIDIA runtime: this run is CPU-only (GPU_COUNT=0).',
    };
  }
  const { count, how } = await countGpus();
  if (count === 0) {
    return {
      count: 0,
      deviceRequests: null,
      warning: `The engine has an NVIDIA runtime but ${how} found no GPU: this run is CPU-only (GPU_COUNT=0).`,
    };
  }
  return { count, deviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu']] }], warning: null };
}

/**
 * A per-container disk size where the storage driver can enforce one (overlay2 on xfs with pquota,
 * btrfs, zfs, devicemapper); elsewhere nothing, and a warning that says the size is not applied.
 */
export function diskPlanOf(
  info: EngineInfo,
  diskGb: number | undefined,
): { storageOpt: Record<string, string> | null; warning: string | null } {
  if (!diskGb) return { storageOpt: null, warning: null };
  const backing = info.DriverStatus?.find(([k]) => k === 'Backing Filesystem')?.[1];
  const supported =
    (info.Driver === 'overlay2' && backing === 'xfs') ||
    ['btrfs', 'zfs', 'devicemapper'].includes(info.Driver ?? '');
  if (!supported) {
    return {
      storageOpt: null,
      warning: `The disk size (${diskGb} GB) is not applied: the ${info.Driver ?? 'unknown'} storage driver${backing ? ` on ${backing}` : ''} has no per-container size limit.`,
    };
  }
  return { storageOpt: { size: `${diskGb}G` }, warning: null };
}

/** The lines of `nvidia-smi -L` that name a GPU. */
export function gpusListed(nvidiaSmiL: string): number {
  return nvidiaSmiL.split('\n').filter((l) => l.startsWith('GPU ')).length;
}

/**
 * Counts the GPUs of the engine's machine. On a local engine nvidia-smi answers here; a remote engine
 * (DOCKER_HOST=tcp:// or ssh://) or a PATH without nvidia-smi is asked through the engine itself: a
 * one-shot container of the run's image with every GPU, into which the NVIDIA runtime mounts its
 * nvidia-smi (the "utility" capability), so nothing is pulled.
 */
export function engineGpuCounter(docker: Docker, image: string): GpuCounter {
  return async () => {
    if (engineIsLocal(docker)) {
      const here = await hostNvidiaSmi();
      if (here !== null) return { count: gpusListed(here), how: 'nvidia-smi' };
    }
    const there = await nvidiaSmiThroughEngine(docker, image);
    return there === null
      ? { count: 0, how: "nvidia-smi (neither here nor in a container on the engine's machine)" }
      : { count: gpusListed(there), how: "nvidia-smi on the engine's machine" };
  };
}

/**
 * A counter whose answer is kept for `ttlMs`: counting runs nvidia-smi (slow to start without the
 * driver's persistence mode) or a one-shot container, and a machine's GPUs rarely change between runs.
 */
export function rememberedGpuCounter(ttlMs: number, now: () => number = Date.now) {
  let kept: { at: number; answer: Promise<{ count: number; how: string }> } | null = null;
  return (count: GpuCounter): GpuCounter =>
    () => {
      if (!kept || now() - kept.at > ttlMs) kept = { at: now(), answer: count() };
      return kept.answer;
    };
}

function engineIsLocal(docker: Docker): boolean {
  const modem = docker.modem as { socketPath?: unknown; host?: unknown };
  if (typeof modem.socketPath === 'string' && modem.socketPath !== '') return true;
  return typeof modem.host === 'string' && ['localhost', '127.0.0.1', '::1'].includes(modem.host);
}

function hostNvidiaSmi(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['-L'], { timeout: 10_000 }, (err, stdout) => resolve(err ? null : stdout));
  });
}

async function nvidiaSmiThroughEngine(docker: Docker, image: string): Promise<string | null> {
  let container: Docker.Container | null = null;
  try {
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ['nvidia-smi'],
      Cmd: ['-L'],
      Env: ['NVIDIA_VISIBLE_DEVICES=all', 'NVIDIA_DRIVER_CAPABILITIES=utility'],
      Labels: { 'tstudio.gpu-count': '1' },
      HostConfig: {
        NetworkMode: 'none',
        DeviceRequests: [{ Driver: 'nvidia', Count: -1, Capabilities: [['gpu', 'utility']] }],
      },
    });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    if (StatusCode !== 0) return null;
    const raw = (await container.logs({ stdout: true, stderr: false })) as unknown as Buffer;
    return demuxBuffer(raw);
  } catch {
    return null;
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}
