// tstudio run PATH|IMAGE [--mode ssh|jupyter|args] [--template NAME] [--json] [--timeout S] [--cpus N] [--memory BYTES] [--shm BYTES] [--disk GB] [--env K=V]... [--port SPEC]... [--workspace PATH|volume:NAME|none] [-- ARGS...]
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import { defaultDataDir } from '../../app';
import { createDockerClient, resolveDockerEndpoint } from '../../services/docker';
import {
  LocalRunService,
  resolveSource,
  runModeOfRuntype,
  type RunInfo,
  type RunMode,
} from '../../services/launch';
import { AppKeyStore } from '../../services/ssh';
import type { CliIo } from '../io';

export interface RunCommandOptions {
  /** A template folder or an image reference. */
  source: string;
  mode?: RunMode;
  template?: string;
  json?: boolean;
  /** Seconds to wait for ready (default 180). */
  timeout?: number;
  cpus?: number;
  memory?: number;
  shm?: number;
  disk?: number;
  /** `K=V` entries. */
  env?: string[];
  /** Extra ports to request: `8000`, `9000/udp`, `70000`. */
  port?: string[];
  /** args mode: replaces the image's CMD (default: the template's args_str). */
  args?: string[];
  /** A folder (relative to the current one), `volume:NAME`, or `none`; remembered for the template. */
  workspace?: string;
}

/** What the run/rm/status/smoke commands share: the engine and the local-run service. */
export interface LocalRunsContext {
  docker: Docker;
  runs: LocalRunService;
}

/** Engine from DOCKER_HOST / docker context, data dir and app key as the desktop app uses them. */
export async function createLocalRunsContext(
  env: Record<string, string | undefined> = process.env,
): Promise<LocalRunsContext> {
  const home = homedir();
  const dataDir = defaultDataDir(env, home);
  const docker = createDockerClient(resolveDockerEndpoint({ env, home, platform: process.platform }));
  const key = await new AppKeyStore(join(dataDir, 'ssh')).get();
  const runs = new LocalRunService(docker, {
    dataDir,
    sshPublicKey: key.publicKey,
    identityFile: key.privateKeyPath,
  });
  return { docker, runs };
}

/** The one JSON object `tstudio run --json` prints once the run is ready. */
export function runJson(run: RunInfo): {
  id: string;
  mode: RunMode;
  ssh: RunInfo['ssh'];
  ports: Record<string, number>;
} {
  return { id: run.id, mode: run.mode, ssh: run.ssh, ports: run.ports };
}

/** Without --mode: the template's runtype, as Vast would launch it; ssh for an image or a template without one. */
async function defaultModeOf(source: string, template: string | undefined): Promise<RunMode> {
  const resolved = await resolveSource(source, { template });
  return runModeOfRuntype(resolved.template?.runtype) ?? 'ssh';
}

export async function runRun(
  argv: RunCommandOptions,
  io: CliIo,
  context?: LocalRunsContext,
): Promise<number> {
  const ctx = context ?? (await createLocalRunsContext());
  const mode = argv.mode ?? (await defaultModeOf(argv.source, argv.template));
  if (!['ssh', 'jupyter', 'args'].includes(mode))
    throw new AppError('VALIDATION', `--mode must be ssh, jupyter or args, not ${mode}.`);
  if (argv.args?.length && mode !== 'args')
    throw new AppError(
      'VALIDATION',
      'Arguments after -- are for args mode only (Vast refuses args with ssh or jupyter).',
    );
  const signal = io.signal ?? new AbortController().signal;
  const ready = await ctx.runs.start(
    {
      source: argv.source,
      mode,
      template: argv.template,
      args: argv.args,
      env: parseEnvPairs(argv.env ?? []),
      ports: argv.port,
      limits: { cpus: argv.cpus, memoryBytes: argv.memory, shmBytes: argv.shm, diskGb: argv.disk },
      readyTimeoutMs: (argv.timeout ?? 180) * 1000,
      workspace: workspaceArgument(argv.workspace),
    },
    {
      signal,
      // Progress goes to stderr so that stdout holds only the result (one JSON object with --json).
      log: (text) => io.stderr(text),
      emit: () => undefined,
    },
  );
  if (argv.json) {
    io.stdout(`${JSON.stringify(runJson(ready.run))}\n`);
    return 0;
  }
  const r = ready.run;
  io.stdout(
    `Run ${r.id} (${r.mode} mode, ${r.containerLabel}) ready in ${(ready.readyMs / 1000).toFixed(1)} s\n`,
  );
  for (const [port, host] of Object.entries(r.ports)) io.stdout(`  ${port} -> 127.0.0.1:${host}\n`);
  if (r.ssh) io.stdout(`  ssh -i ${r.ssh.identityFile} -p ${r.ssh.port} ${r.ssh.user}@${r.ssh.host}\n`);
  if (r.workspace)
    io.stdout(
      `  workspace: ${r.workspace.kind === 'volume' ? 'volume:' : ''}${r.workspace.source} at ${r.workspace.target} (ACL ${r.workspace.acl})\n`,
    );
  io.stdout(`  remove it with: tstudio rm ${r.id}\n`);
  return 0;
}

/** `--workspace`: a relative folder is taken from the current folder, as a shell user expects. */
export function workspaceArgument(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === 'none' || value.startsWith('volume:')) return value;
  if (value.trim() === '')
    throw new AppError('VALIDATION', '--workspace needs a folder, volume:NAME or none.');
  return resolve(value);
}

export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('VALIDATION', `--env ${pair}: write it as NAME=value.`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
