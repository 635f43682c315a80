/**
 * The composition root: configuration in, services built once, the contract's handlers out.
 * Every shell (Electron, browser, CLI) calls createApp and nothing below it.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync, mkdirSync } from 'node:fs';
import type { DockerEndpointData } from '../shared/types';
import { EventBus, type Handlers } from './rpc';
import { OperationManager } from './services/operations';
import {
  BuildService,
  EngineMonitor,
  PushService,
  createDockerClient,
  resolveDockerEndpoint,
} from './services/docker';
import { createBuildHandlers } from './handlers/builds';
import { LocalRunService } from './services/launch';
import { createRunsHandlers } from './handlers/runs';
import { createTargetResolver } from './target-resolver';
import type { EventPayload } from '../shared/contract';
import { MonitorService } from './services/monitor';
import { createMonitorHandlers } from './handlers/monitor';
import { createComposeHandlers } from './handlers/compose';
import { createInstanceInspectHandlers } from './handlers/instance-inspect';
import { InstanceEndpoints } from './instance-endpoints';
import { createEngineHandlers } from './handlers/engine';
import { createOperationHandlers } from './handlers/operations';
import { APP_VERSION } from './version';
import { findResourcesDir } from './resources-dir';
import { SshService } from './services/ssh';
import { DockerExecTerminals } from './services/terminal';
import { createSshHandlers, forwardSshEvents, resolveTargetRef } from './handlers/ssh';
import { createTerminalHandlers, forwardTerminalEvents } from './handlers/terminals';
import { createTunnelHandlers, forwardTunnelEvents } from './handlers/tunnels';
import {
  TunnelDefinitionStore,
  TunnelsService,
  TUNNELS_FILE_NAME,
  createTargetDetailsReader,
} from './services/tunnels';
import { createTemplatesHandlers } from './handlers/templates';
import { createVastHandlers } from './handlers/vast';
import { createAccountHandlers } from './handlers/account';
import { GuardedSecretStore, KeychainSecretStore, SECRET_NAMES, type SecretStore } from './services/secrets';
import { buildableFromTemplates, ContainerBackend, VastAccountResolver } from './services/vast';

export interface AppConfig {
  shell: 'electron' | 'browser' | 'cli';
  /** Where the app keeps its state (history, ledger, keys, known hosts). */
  dataDir?: string;
  env?: Record<string, string | undefined>;
  home?: string;
  /** Overrides endpoint resolution (tests). */
  dockerEndpoint?: DockerEndpointData;
  /** Overrides the OS keychain (tests). */
  secrets?: GuardedSecretStore;
  /** The app's resources/ folder; found next to the code when not given. */
  resourcesDir?: string | null;
  /** How often the engine is re-checked while it is down (ms). */
  engineRetryMs?: number;
}

export interface App {
  readonly version: string;
  readonly dataDir: string;
  readonly bus: EventBus;
  readonly handlers: Handlers;
  readonly operations: OperationManager;
  readonly engine: EngineMonitor;
  readonly ssh: SshService;
  readonly runs: LocalRunService;
  readonly secrets: SecretStore;
  dispose(): Promise<void>;
}

export function defaultDataDir(env: Record<string, string | undefined>, home: string): string {
  if (env.TSTUDIO_DATA_DIR) return env.TSTUDIO_DATA_DIR;
  const base = env.XDG_DATA_HOME || join(home, '.local', 'share');
  return join(base, 'template-studio');
}

export function createApp(config: AppConfig): App {
  const env = config.env ?? process.env;
  const home = config.home ?? homedir();
  const dataDir = config.dataDir ?? defaultDataDir(env, home);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const bus = new EventBus();
  const operations = new OperationManager({
    event: (e) => bus.emit('operation:updated', e),
    stateChanged: (s) => bus.emit('operation:stateChanged', s),
  });

  const endpoint = config.dockerEndpoint ?? resolveDockerEndpoint({ env, home, platform: process.platform });
  const docker = createDockerClient(endpoint);
  const engine = new EngineMonitor(docker, endpoint, {
    unhealthyIntervalMs: config.engineRetryMs ?? 1000,
    onChange: (status) => bus.emit('engine:statusChanged', status),
  });
  if (config.shell !== 'cli') engine.start();

  const ssh = new SshService({ dataDir, env });
  const execTerminals = new DockerExecTerminals(docker);
  const stopSshEvents = [
    forwardSshEvents(ssh, (name, payload) => bus.emit(name, payload)),
    forwardTerminalEvents(ssh, (name, payload) => bus.emit(name, payload), execTerminals),
  ];
  const runs = new LocalRunService(docker, { dataDir, appKey: () => ssh.keys.get() });

  const resourcesDir = config.resourcesDir ?? findResourcesDir();
  const demoTemplate =
    resourcesDir && existsSync(join(resourcesDir, 'demo-template'))
      ? join(resourcesDir, 'demo-template')
      : null;

  const templates = createTemplatesHandlers({ dataDir, emit: (name, payload) => bus.emit(name, payload) });

  const secrets = config.secrets ?? new GuardedSecretStore(new KeychainSecretStore(), dataDir);
  const vastAccount = new VastAccountResolver({
    getStoredKey: () => secrets.get(SECRET_NAMES.vastApiKey),
    baseUrl: env.VAST_URL,
    // No key: the sandbox, whose instances are real containers reached with the app's key.
    sandbox: {
      backend: new ContainerBackend({
        docker,
        runs: { dataDir, appKey: () => ssh.keys.get() },
        buildable: buildableFromTemplates(demoTemplate ? [demoTemplate] : []),
      }),
    },
  });

  const builds = new BuildService({
    docker,
    operations,
    dataDir,
    env,
    onHistoryChanged: (record) => bus.emit('builds:historyChanged', { record }),
  });
  const pushes = new PushService({
    docker,
    operations,
    appCredentials: async (registry) =>
      parseRegistryCredentials(await secrets.get(SECRET_NAMES.registry(registry))),
  });

  const instanceEndpoints = new InstanceEndpoints(() => vastAccount.connection());
  const monitor = new MonitorService({
    connection: () => vastAccount.connection(),
    dataDir,
    docker,
    instanceSsh: { endpoints: instanceEndpoints, ssh },
    emit: (e) => bus.emit(e.name, e.payload),
    // Tests and benchmarks poll faster; the app never lists instances more often than every 10 s.
    intervalMs: env.TSTUDIO_MONITOR_INTERVAL_MS ? Number(env.TSTUDIO_MONITOR_INTERVAL_MS) : undefined,
  });
  const stopMonitorFeed = bus.subscribe((e) => {
    if (e.name === 'operation:stateChanged')
      monitor.onOperationStateChanged(e.payload as EventPayload<'operation:stateChanged'>);
    else if (e.name === 'tunnel:stateChanged')
      monitor.onTunnelStateChanged(e.payload as EventPayload<'tunnel:stateChanged'>);
  });
  if (config.shell !== 'cli') monitor.start();

  const shell = config.shell === 'electron' ? 'electron' : 'browser';
  const sshDeps = {
    ssh,
    resolveTarget: createTargetResolver({ runs, vast: () => vastAccount.connection() }),
  };
  // Tunnels the user opened come back on start (not in the one-shot CLI), on the same local ports.
  const tunnels = new TunnelsService({
    ssh,
    store: new TunnelDefinitionStore(join(dataDir, TUNNELS_FILE_NAME)),
    resolveTarget: (ref) => resolveTargetRef(ref, sshDeps.resolveTarget),
    targetDetails: createTargetDetailsReader({ runs, docker, vast: () => vastAccount.connection() }),
  });
  stopSshEvents.push(forwardTunnelEvents(tunnels, (name, payload) => bus.emit(name, payload)));
  if (config.shell !== 'cli') void tunnels.restore();
  const handlers: Handlers = {
    'app:info': () => ({ version: APP_VERSION, shell, platform: process.platform, demoTemplate }),
    ...createEngineHandlers(engine),
    ...createOperationHandlers(operations),
    ...createSshHandlers(sshDeps),
    ...createTerminalHandlers({
      ...sshDeps,
      dockerExec: {
        terminals: execTerminals,
        resolveRun: async (ref) => {
          const run = await runs.get(ref);
          return {
            id: run.id,
            containerId: run.containerId,
            name: run.name,
            running: run.state === 'running',
          };
        },
      },
    }),
    ...createTunnelHandlers({ tunnels }),
    ...createRunsHandlers({
      runs,
      docker,
      operations,
      emitRunChanged: (p) => bus.emit('run:stateChanged', p),
    }),
    ...withoutDispose(templates),
    ...createVastHandlers({ connection: () => vastAccount.connection(), operations, dataDir }),
    ...createBuildHandlers({ builds, pushes }),
    ...createMonitorHandlers({ monitor }),
    ...createComposeHandlers({ runs }),
    ...createInstanceInspectHandlers({
      ssh,
      endpoints: instanceEndpoints,
      operations,
      recordSample: (sample) => monitor.recordSample(sample),
    }),
    ...createAccountHandlers({ secrets, env, home, vastUrl: env.VAST_URL, onKeyChanged: () => undefined }),
  };

  return {
    version: APP_VERSION,
    dataDir,
    bus,
    handlers,
    operations,
    engine,
    ssh,
    runs,
    secrets,
    async dispose() {
      engine.stop();
      monitor.stop();
      stopMonitorFeed();
      for (const stop of stopSshEvents) stop();
      templates.dispose();
      await vastAccount.dispose();
      await tunnels.dispose();
      execTerminals.closeAll();
      await ssh.dispose();
      await operations.dispose();
    },
  };
}

function parseRegistryCredentials(stored: string | null): { username: string; password: string } | null {
  if (!stored) return null;
  try {
    const v = JSON.parse(stored) as { username?: unknown; password?: unknown };
    return typeof v.username === 'string' && typeof v.password === 'string'
      ? { username: v.username, password: v.password }
      : null;
  } catch {
    return null;
  }
}

/** A handlers object that also carries dispose(): the handlers alone, for the contract's map. */
function withoutDispose<T extends { dispose(): void }>(handlers: T): Omit<T, 'dispose'> {
  const { dispose: _dispose, ...rest } = handlers;
  return rest;
}
