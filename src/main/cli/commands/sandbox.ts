// tstudio sandbox [--port P] [--api-key K] [--containers]
//
// Runs the bundled local Vast API on 127.0.0.1 until Ctrl-C, and prints the URL and the key to use
// (`VAST_URL=… VAST_API_KEY=… tstudio vast offers`, or the official `vastai --url … --api-key …`).
// With --containers each instance is a real container on the local engine (a local run in the
// launch's mode, with a real sshd reached with the app's key); without it instances are simulated.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultDataDir } from '../../app';
import { findResourcesDir } from '../../resources-dir';
import { createDockerClient, resolveDockerEndpoint } from '../../services/docker';
import { AppKeyStore } from '../../services/ssh';
import {
  buildableFromTemplates,
  ContainerBackend,
  VastSandbox,
  type InstanceBackend,
  type SandboxFaults,
} from '../../services/vast/index';
import type { CliIo } from '../io';

export interface SandboxCommandOptions {
  port?: number;
  /** Requests must carry this key; a random one is made and printed when absent. */
  apiKey?: string;
  /** Faults to start with (tests and demos). */
  faults?: Partial<SandboxFaults>;
  /** Instances are real containers on the local engine (the app's SSH key reaches them). */
  containers?: boolean;
}

/**
 * The container backend as `tstudio run` would make its runs: the same engine endpoint, data dir and
 * app key; the demo template's image is built when the engine lacks it (nothing can be pulled).
 */
export function createCliContainerBackend(
  env: Record<string, string | undefined> = process.env,
): ContainerBackend {
  const home = homedir();
  const dataDir = defaultDataDir(env, home);
  const keys = new AppKeyStore(join(dataDir, 'ssh'));
  const resources = findResourcesDir();
  return new ContainerBackend({
    docker: createDockerClient(resolveDockerEndpoint({ env, home, platform: process.platform })),
    runs: { dataDir, appKey: () => keys.get() },
    buildable: buildableFromTemplates(resources ? [join(resources, 'demo-template')] : []),
  });
}

export interface SandboxCommandContext {
  /** A container backend (the lead's wiring to local runs); the no-container backend otherwise. */
  backend?: InstanceBackend;
  /** Called once the server listens (tests use it to find the URL). */
  onListening?: (sandbox: VastSandbox) => void;
}

export async function runSandbox(
  argv: SandboxCommandOptions,
  io: CliIo,
  context: SandboxCommandContext = {},
): Promise<number> {
  if (argv.apiKey !== undefined && argv.apiKey.trim().length < 8) {
    io.stderr('error: --api-key must be at least 8 characters.\n');
    return 2;
  }
  const sandbox = new VastSandbox({
    apiKey: argv.apiKey?.trim(),
    port: argv.port ?? 0,
    backend: context.backend ?? (argv.containers ? createCliContainerBackend() : undefined),
    faults: argv.faults,
  });
  let url: string;
  try {
    url = await sandbox.start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    io.stderr(
      `error: the sandbox could not listen on 127.0.0.1:${argv.port ?? 0}${code === 'EADDRINUSE' ? ' (the port is in use; pick another with --port)' : ''}.\n`,
    );
    return 1;
  }
  io.stdout(
    [
      `Vast sandbox listening on ${url} (instances: ${sandbox.backendKind === 'none' ? 'simulated, no containers' : sandbox.backendKind})`,
      `API key: ${sandbox.apiKey}`,
      '',
      'Use it with:',
      `  export VAST_URL=${url}`,
      `  export VAST_API_KEY=${sandbox.apiKey}`,
      '  tstudio vast offers',
      `  vastai --url ${url} --api-key ${sandbox.apiKey} search offers`,
      '',
      'Press Ctrl-C to stop (every sandbox instance is removed).',
      '',
    ].join('\n'),
  );
  context.onListening?.(sandbox);
  await new Promise<void>((resolve) => {
    if (!io.signal) return; // Without a signal the process runs until it is killed.
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sandbox.close();
  io.stdout('Sandbox stopped.\n');
  return 0;
}
