// tstudio doctor [--json]
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import type { DockerEndpointData, EngineFactsData } from '../../../shared/types';
import { AppError } from '../../../shared/errors';
import { createDockerClient, readEngineFacts, resolveDockerEndpoint } from '../../services/docker';
import { APP_VERSION } from '../../version';
import type { CliIo } from '../io';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  message: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

export interface DoctorReport {
  version: string;
  host: { os: string; release: string; arch: string; cpus: number; memoryBytes: number; node: string };
  docker: {
    endpoint: string;
    source: DockerEndpointData['source'];
    context: string | null;
    reason: string;
    reachable: boolean;
    version: string | null;
    apiVersion: string | null;
    engine: EngineFactsData | null;
    error: string | null;
  };
  checks: DoctorCheck[];
}

export async function collectDoctorReport(
  env: Record<string, string | undefined> = process.env,
  home: string = os.homedir(),
): Promise<DoctorReport> {
  const endpoint = resolveDockerEndpoint({ env, home, platform: process.platform });
  let facts: EngineFactsData | null = null;
  let error: string | null = null;
  try {
    facts = await readEngineFacts(createDockerClient(endpoint), endpoint);
  } catch (err) {
    error = AppError.from(err).message;
  }
  const checks: DoctorCheck[] = [
    facts
      ? {
          name: 'docker',
          ok: true,
          message: `Docker engine ${facts.version} (API ${facts.apiVersion}) at ${endpoint.url}`,
        }
      : {
          name: 'docker',
          ok: false,
          message: `No Docker engine at ${endpoint.url}.`,
          fix: error ?? undefined,
        },
  ];
  if (facts) {
    checks.push(
      facts.buildkit
        ? { name: 'buildkit', ok: true, message: 'BuildKit is available: builds show steps and cache hits.' }
        : {
            name: 'buildkit',
            ok: false,
            message: 'BuildKit is not available: builds use the classic builder.',
            fix: 'Update the Docker engine to 18.09 or later, or unset DOCKER_BUILDKIT=0.',
          },
      facts.nvidiaRuntime
        ? { name: 'nvidia', ok: true, message: 'The NVIDIA runtime is registered: local runs get GPUs.' }
        : {
            name: 'nvidia',
            ok: false,
            message: 'No NVIDIA runtime: local runs are CPU-only (GPU_COUNT=0).',
            fix: 'Install the NVIDIA Container Toolkit and run `sudo nvidia-ctk runtime configure --runtime=docker`, then restart Docker.',
          },
    );
  }
  checks.push(sshClientCheck());
  return {
    version: APP_VERSION,
    host: {
      os: os.platform(),
      release: os.release(),
      arch: os.arch(),
      cpus: os.cpus().length,
      memoryBytes: os.totalmem(),
      node: process.versions.node,
    },
    docker: {
      endpoint: endpoint.url,
      source: endpoint.source,
      context: endpoint.context,
      reason: endpoint.reason,
      reachable: facts !== null,
      version: facts?.version ?? null,
      apiVersion: facts?.apiVersion ?? null,
      engine: facts,
      error,
    },
    checks,
  };
}

function sshClientCheck(): DoctorCheck {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'pipe', timeout: 3000 });
    return {
      name: 'ssh',
      ok: true,
      message: 'The OpenSSH client is installed: copied SSH commands will work.',
    };
  } catch {
    return {
      name: 'ssh',
      ok: false,
      message: 'No OpenSSH client: the app connects by itself, but copied `ssh` commands will not run here.',
      fix: 'Install openssh-client.',
    };
  }
}

export async function runDoctor(options: { json?: boolean }, io: CliIo): Promise<number> {
  const report = await collectDoctorReport();
  if (options.json) {
    io.stdout(JSON.stringify(report) + '\n');
  } else {
    const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
    io.stdout(`Template Studio ${report.version}\n`);
    io.stdout(
      `Host: ${report.host.os} ${report.host.release} ${report.host.arch}, ${report.host.cpus} CPUs, ${gib(report.host.memoryBytes)}, Node ${report.host.node}\n`,
    );
    io.stdout(`Docker endpoint: ${report.docker.endpoint} (${report.docker.reason})\n`);
    if (report.docker.engine) {
      const e = report.docker.engine;
      io.stdout(
        `Engine: ${e.version}, API ${e.apiVersion}, ${e.os} ${e.arch}, ${e.cpus} CPUs, ${gib(e.memoryBytes)}, ${e.images} images, ${e.containers} containers\n`,
      );
    }
    for (const check of report.checks) {
      io.stdout(`${check.ok ? '✓' : '✗'} ${check.message}\n`);
      if (!check.ok && check.fix) io.stdout(`    fix: ${check.fix}\n`);
    }
  }
  return report.docker.reachable ? 0 : 1;
}
