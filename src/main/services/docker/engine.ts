import Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { DockerEndpointData, EngineFactsData, EngineStatusData } from '../../../shared/types';
import { dockerodeOptions } from './endpoint';

export function createDockerClient(endpoint: DockerEndpointData): Docker {
  return new Docker({ ...dockerodeOptions(endpoint.url), timeout: 0 });
}

/** Reads the engine's facts; throws AppError('DOCKER_UNAVAILABLE') with a fix when it can't. */
export async function readEngineFacts(
  docker: Docker,
  endpoint: DockerEndpointData,
  timeoutMs = 5000,
): Promise<EngineFactsData> {
  try {
    const [version, info] = await withTimeout(Promise.all([docker.version(), docker.info()]), timeoutMs);
    const runtimes = (info as { Runtimes?: Record<string, unknown> }).Runtimes ?? {};
    const apiVersion = String(version.ApiVersion ?? '');
    return {
      version: String(version.Version ?? ''),
      apiVersion,
      os: String(info.OperatingSystem ?? ''),
      osType: String(info.OSType ?? version.Os ?? ''),
      arch: String(info.Architecture ?? version.Arch ?? ''),
      kernel: String(info.KernelVersion ?? version.KernelVersion ?? ''),
      cpus: Number(info.NCPU ?? 0),
      memoryBytes: Number(info.MemTotal ?? 0),
      images: Number(info.Images ?? 0),
      containers: Number(info.Containers ?? 0),
      containersRunning: Number(info.ContainersRunning ?? 0),
      storageDriver: String(info.Driver ?? ''),
      // BuildKit is served through /session since API 1.39; DOCKER_BUILDKIT=0 turns it off like the CLI.
      buildkit: compareApiVersions(apiVersion, '1.39') >= 0 && process.env.DOCKER_BUILDKIT !== '0',
      nvidiaRuntime: Object.prototype.hasOwnProperty.call(runtimes, 'nvidia'),
    };
  } catch (err) {
    throw unreachable(endpoint, err);
  }
}

export function unreachable(endpoint: DockerEndpointData, err: unknown): AppError {
  const cause = err instanceof Error ? err.message : String(err);
  return new AppError(
    'DOCKER_UNAVAILABLE',
    `Cannot reach the Docker engine at ${endpoint.url} (${cause}). ${fixHint(endpoint)}`,
    {
      endpoint: endpoint.url,
      source: endpoint.source,
    },
  );
}

function fixHint(endpoint: DockerEndpointData): string {
  switch (endpoint.source) {
    case 'DOCKER_HOST':
      return 'It comes from DOCKER_HOST: start the engine it names, or unset DOCKER_HOST to use the default socket.';
    case 'context':
      return `It comes from the docker context "${endpoint.context}": start that engine, or run \`docker context use default\`.`;
    default:
      return endpoint.url.startsWith('unix://')
        ? 'Start the Docker engine (Docker Desktop, or `sudo systemctl start docker`) and check that your user may use its socket.'
        : 'Start Docker Desktop.';
  }
}

export function compareApiVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

export type { EngineStatusData };
