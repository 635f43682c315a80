// tstudio build PATH [--tag T]... [--build-arg K=V]... [--target S] [--no-cache] [--file F] [--platform P] [--pull] [--builder auto|buildkit|classic] [--json]
import os from 'node:os';
import type { OperationEventData } from '../../../shared/types';
import type { BuildLogSegmentData, BuildResultData, BuildStepData } from '../../../shared/contract/builds';
import { AppError } from '../../../shared/errors';
import { defaultDataDir } from '../../app';
import { BuildService, createDockerClient, resolveDockerEndpoint } from '../../services/docker';
import { OperationManager } from '../../services/operations';
import type { CliIo } from '../io';

export interface BuildCommandOptions {
  /** The build context (the template's image folder). */
  path: string;
  /** Repeatable `--tag`. */
  tag?: string[];
  /** Repeatable `--build-arg K=V` (a bare `K` takes K from the environment, as docker does). */
  buildArg?: string[];
  target?: string;
  /** `--no-cache` as commander reports it (`cache: false`) … */
  cache?: boolean;
  /** … or as a plain flag. */
  noCache?: boolean;
  /** The Dockerfile, relative to PATH. */
  file?: string;
  platform?: string;
  pull?: boolean;
  builder?: 'auto' | 'buildkit' | 'classic';
  /** JSON lines: every operation event, then nothing else on stdout. */
  json?: boolean;
  /** Overrides the app's data folder (tests). */
  dataDir?: string;
  env?: Record<string, string | undefined>;
}

/** `K=V` pairs into a record; a bare `K` reads the environment like `docker build --build-arg K`. */
export function parseBuildArgs(
  pairs: string[] = [],
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq === 0) throw new AppError('VALIDATION', `--build-arg ${pair}: the name is missing before "=".`);
    if (eq === -1) {
      const value = env[pair];
      if (value !== undefined) args[pair] = value;
    } else {
      args[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return args;
}

/** Exit codes: 0 built, 1 failed, 130 cancelled by io.signal (Ctrl-C) after stopping the daemon's build. */
export async function runBuild(options: BuildCommandOptions, io: CliIo): Promise<number> {
  const env = options.env ?? process.env;
  const endpoint = resolveDockerEndpoint({ env, home: os.homedir(), platform: process.platform });
  const docker = createDockerClient(endpoint);
  const human = new HumanBuildPrinter(io);
  const operations = new OperationManager({
    event: (event) => (options.json ? io.stdout(JSON.stringify(event) + '\n') : human.event(event)),
    stateChanged: () => undefined,
  });
  const builds = new BuildService({
    docker,
    operations,
    dataDir: options.dataDir ?? defaultDataDir(env, os.homedir()),
    env,
  });
  let started;
  try {
    started = builds.start({
      contextDir: options.path,
      dockerfile: options.file ?? 'Dockerfile',
      tags: options.tag ?? [],
      buildArgs: parseBuildArgs(options.buildArg, env),
      target: options.target,
      platform: options.platform,
      noCache: options.noCache === true || options.cache === false,
      pull: options.pull ?? false,
      builder: options.builder ?? 'auto',
    });
  } catch (err) {
    const error = AppError.from(err);
    io.stderr(`error: ${error.message}\n`);
    return 1;
  }
  const onAbort = () => builds.cancel(started.operationId);
  if (io.signal?.aborted) onAbort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await started.done;
    if (!options.json) human.done(result);
    return 0;
  } catch (err) {
    const error = AppError.from(err);
    if (!options.json) io.stderr(`error: ${error.message}\n`);
    return error.code === 'CANCELLED' ? 130 : 1;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    await operations.dispose();
  }
}

/** What a person sees: the log as the builder wrote it, failed steps called out, the result. */
class HumanBuildPrinter {
  private failureShown = false;

  constructor(private readonly io: CliIo) {}

  event(event: OperationEventData): void {
    if (event.type === 'build:logged') {
      const { segments } = event.data as { segments: BuildLogSegmentData[] };
      for (const segment of segments) this.io.stdout(segment.text);
    } else if (event.type === 'build:stepChanged') {
      const { step } = event.data as { step: BuildStepData };
      // BuildKit fails the steps running beside the broken one too: name only the first.
      if (step.state === 'failed' && !this.failureShown && step.error !== 'Cancelled.') {
        this.failureShown = true;
        this.io.stderr(`step failed: ${step.name}\n`);
      }
    }
  }

  done(result: BuildResultData): void {
    const mb = (result.sizeBytes / 1e6).toFixed(1);
    const tags = result.tags.length > 0 ? ` tagged ${result.tags.join(', ')}` : '';
    this.io.stdout(
      `Built ${result.imageId} (${mb} MB)${tags} with ${result.builder} in ${(result.durationMs / 1000).toFixed(1)}s\n`,
    );
  }
}
