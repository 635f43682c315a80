import { pause } from '../../../shared/pause';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import { DockerExecTransport, SupervisorClient } from '../supervisor/index';
import { buildImageFromFolder } from './image-build';
import {
  findLaunchScriptsDir,
  describedLaunchCommand,
  launchCommand,
  launchFiles,
  readLaunchFiles,
} from './launch-scripts';
import { isVastInjected, type LaunchDescription } from './launch-description';
import {
  dockerPortConfig,
  parsePortSpec,
  planPorts,
  portEnv,
  portMap,
  type PortRequest,
  type Protocol,
} from './port-plan';
import { isTcpPortFree, pickFreePort } from './free-port';
import { LABELS, parsePortsLabel, runModeOf, runStateOf, RUN_LABEL, type RunInfo } from './run-labels';
import { portsOpenedByMode, type RunMode } from './run-mode';
import { waitForSshHandshake } from './ssh-handshake';
import { followLaunchOutput, type LaunchOutputFollower } from './launch-output';
import { demuxBuffer } from './demux-buffer';
import { followContainerOutput, type FollowOutputOptions } from './follow-output';
import {
  diskPlanOf,
  engineGpuCounter,
  gpuPlanOf,
  rememberedGpuCounter,
  type EngineInfo,
} from './engine-plans';
import { Wakeup } from './wakeup';
import { resolveSource, type ResolvedSource } from './template-source';
import { buildVastEnv, envList, freshRunIdentity } from './vast-env';
import {
  aclSkipped,
  applyWorkspaceAcl,
  envRecord,
  parseWorkspaceSpec,
  prepareWorkspaceMount,
  workspaceTarget,
  type RunWorkspace,
  type WorkspaceSpec,
} from './workspace';
import { WorkspaceChoices } from './workspace-choices';

/** The label the Vast sandbox puts on its instances' containers (they are not the user's runs). */
const SANDBOX_LABEL = 'tstudio.sandbox';

/** What long work reports through; an OperationContext fits it. */
export interface ProgressReporter {
  readonly signal: AbortSignal;
  log(text: string): void;
  emit(type: string, data: unknown): void;
}

export interface RunLimits {
  /** CPUs, fractional allowed (like an instance's cpu_cores). */
  cpus?: number;
  memoryBytes?: number;
  /** /dev/shm size; Docker's 64 MB default starves PyTorch data loaders. */
  shmBytes?: number;
  /** Disk size; applied only where the storage driver supports a per-container size. */
  diskGb?: number;
}

export interface RunStartOptions {
  /** A template folder or an image reference. */
  source: string;
  mode: RunMode;
  /** templates/<name> to use when the folder holds several. */
  template?: string;
  /** args mode: replaces the image's CMD (Vast's args); the template's args_str when none are given. */
  args?: string[];
  /** Extra variables, applied last (like account-level env on Vast). */
  env?: Record<string, string>;
  /** Extra ports to request (`8000`, `9000/udp`, `70000`). */
  ports?: string[];
  /** Fixed host ports: `{"8000/tcp": 8000}`. Others are chosen free. */
  hostPorts?: Record<string, number>;
  limits?: RunLimits;
  /** `if-missing` (default): build a template's image only when the engine lacks it. */
  build?: 'if-missing' | 'always' | 'never';
  /** Build (and run) under this tag instead of the template's image:tag (smoke uses a throwaway tag). */
  buildTag?: string;
  readyTimeoutMs?: number;
  /** Marks a run its creator removes (smoke); left behind only if the creator died. */
  ephemeral?: boolean;
  /**
   * Mounted at the image's WORKSPACE: an absolute folder path or `volume:NAME` (used and remembered
   * for the template), `none` (no workspace, and the remembered choice is forgotten), undefined (the
   * template's remembered choice, if any) or null (no workspace this time; smoke runs clean).
   */
  workspace?: string | null;
}

export interface RunReady {
  run: RunInfo;
  /** From "create" to ready (an SSH handshake succeeds and /.provisioning is gone). */
  readyMs: number;
  /** Time spent building the image first, if it was built. */
  buildMs: number | null;
  warnings: string[];
}

export interface LocalRunServiceOptions {
  /** Where the service keeps what labels cannot hold (ready times). */
  dataDir: string;
  /** The app's public key line, put into authorized_keys and SSH_PUBLIC_KEY (or give appKey). */
  sshPublicKey?: string;
  /** The app's private key file, for `ssh -i` and the readiness handshake (or give appKey). */
  identityFile?: string;
  /**
   * The app key made on first use (the ssh service's `AppKeyStore.get` fits): lets a synchronous
   * composition root build this service before the key exists.
   */
  appKey?: () => Promise<{ publicKey: string; privateKeyPath: string }>;
  /** resources/launch; found automatically when omitted. */
  launchScriptsDir?: string;
  /** Added to every container and built image (tests add tstudio.test=1). */
  labels?: Record<string, string>;
  /** How a free host port is found (tests stand in a port that is taken, to exercise the retry). */
  pickFreePort?: (protocol: Protocol) => Promise<number>;
}

const SSHD_PATHS = ['/usr/sbin/sshd', '/usr/bin/sshd', '/sbin/sshd', '/usr/local/sbin/sshd'];

/*
 * Ready means /.provisioning is gone. A base-image boot (it has /etc/vast_boot.d) touches /.provisioning
 * just before it starts supervisord, so until the launch script has seen the marker, or supervisord
 * runs, or its socket is newer than this start, the marker may simply not be there yet. $1 is the
 * container's start time in epoch seconds. In ssh and jupyter modes the launch script's watcher applies these same
 * rules and says "provisioning ended" on the output (resources/launch/launch.sh): keep them in step.
 */
const PROVISIONING_DONE_SCRIPT = [
  '[ -e /.provisioning ] && exit 1',
  // $2 = 1 when something starts the image's boot (args mode, or an onstart in ssh/jupyter mode).
  '[ "$2" = 1 ] || exit 0',
  '[ -d /etc/vast_boot.d ] || exit 0',
  // The launch script saw the marker during this start (so the boot made it), and it is gone now.
  '[ -f /.tstudio/provisioning-seen ] && exit 0',
  // An onstart that already ended never started a boot that would make the marker.
  'if [ -f /.tstudio/onstart.pid ] && ! kill -0 "$(cat /.tstudio/onstart.pid)" 2>/dev/null; then exit 0; fi',
  // supervisord is started just after the marker is made: running (every process in the container is
  // from this start) or its socket made since the start, it went by. The marker is looked at again
  // after that evidence, since it may have been made since the first look.
  'running=0',
  'for c in /proc/[0-9]*/comm; do IFS= read -r n 2>/dev/null < "$c" || continue; [ "$n" = supervisord ] && running=1 && break; done',
  'if [ "$running" = 0 ]; then',
  '  [ -S /var/run/supervisor.sock ] || exit 1',
  '  [ "$(stat -c %Y /var/run/supervisor.sock)" -ge "$1" ] || exit 1',
  'fi',
  '[ -e /.provisioning ] && exit 1',
  'exit 0',
].join('\n');

interface LaunchPlan {
  opts: RunStartOptions;
  source: ResolvedSource;
  imageRef: string;
  /** The image's id (sha256:…), which the launch facts are kept by. */
  imageId: string;
  requests: PortRequest[];
  gpu: { count: number; deviceRequests: Docker.DeviceRequest[] | null };
  storageOpt: Record<string, string> | null;
  workspace: PlannedWorkspace | null;
  warn: (text: string) => void;
}

/** What the launch script needs of an image, looked up in it once per image id. */
interface LaunchFacts {
  hasShell: boolean;
  hasSshd: boolean;
}

/** What the readiness wait needs to know of a run. */
interface ReadyFacts {
  mode: RunMode;
  ports: Record<string, number>;
  /** The container's start, in whole seconds (floored). */
  startedAtSeconds: number;
  /** Output stamped before this belongs to an earlier start of the container (0: there was none). */
  outputSinceMs: number;
  /** '1' when something starts the image's boot (args mode, or an onstart in ssh/jupyter mode). */
  expectsBoot: '0' | '1';
}

/** A container created and started by createAndStart. */
interface StartedRun {
  container: Docker.Container;
  createdAt: number;
  instanceId: number;
  facts: ReadyFacts;
}

interface PlannedWorkspace {
  mount: Docker.MountSettings;
  info: RunWorkspace;
}

/** docker start failed because a host port chosen a moment earlier was taken since. */
class PortTaken extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
  }
}

/** Local runs that mimic how Vast launches an instance (ssh, jupyter, args), on the local engine. */
export class LocalRunService {
  private launchScriptsDirCache: string | null;
  private readonly launchFactsByImage = new Map<string, Promise<LaunchFacts>>();
  /** The engine machine's GPU count, counted once per 5 minutes rather than at every start. */
  private readonly gpuCounter = rememberedGpuCounter(5 * 60_000);
  private readonly extraLabels: Record<string, string>;

  constructor(
    private readonly docker: Docker,
    private readonly options: LocalRunServiceOptions,
  ) {
    // Found on first use, so a broken installation fails the run with a clear message, not the app's start.
    this.launchScriptsDirCache = options.launchScriptsDir ?? null;
    this.extraLabels = options.labels ?? {};
  }

  private async key(): Promise<{ publicKey: string; identityFile: string }> {
    if (this.options.appKey) {
      const key = await this.options.appKey();
      return { publicKey: key.publicKey, identityFile: key.privateKeyPath };
    }
    if (!this.options.sshPublicKey || !this.options.identityFile) {
      throw new AppError('INTERNAL', 'The local run service was built without the app SSH key.');
    }
    return { publicKey: this.options.sshPublicKey, identityFile: this.options.identityFile };
  }

  private launchScriptsDir(): string {
    this.launchScriptsDirCache ??= findLaunchScriptsDir();
    return this.launchScriptsDirCache;
  }

  /** Resolves, builds if needed, checks, creates, starts and waits until ready. */
  async start(opts: RunStartOptions, progress?: ProgressReporter): Promise<RunReady> {
    const signal = progress?.signal ?? new AbortController().signal;
    const say = (text: string) => progress?.log(`${text}\n`);
    const warnings: string[] = [];
    const warn = (text: string) => {
      if (warnings.includes(text)) return;
      warnings.push(text);
      progress?.emit('warning', { message: text });
      say(`warning: ${text}`);
    };

    // The engine's info (runtimes, storage driver) is asked for at once: it is its slowest answer
    // (about 9 ms, more than reading the template and inspecting the image together) and the first
    // steps do not need it. A failure is reported when it is awaited, at the check.
    const engineInfo = this.docker.info() as Promise<EngineInfo>;
    engineInfo.catch(() => undefined);
    progress?.emit('step', { step: 'resolve' });
    const source = await resolveSource(opts.source, { template: opts.template });
    const imageRef = opts.buildTag ?? source.imageRef;
    const { image, buildMs } = await this.ensureImage(
      source,
      imageRef,
      opts.build ?? 'if-missing',
      signal,
      progress,
    );
    signal.throwIfAborted();

    progress?.emit('step', { step: 'check' });
    const info = await engineInfo;
    const gpu = await gpuPlanOf(info, this.gpuCounter(engineGpuCounter(this.docker, imageRef)));
    if (gpu.warning) warn(gpu.warning);
    const disk = diskPlanOf(info, opts.limits?.diskGb);
    if (disk.warning) warn(disk.warning);
    const storageOpt = disk.storageOpt;
    const workspace = await this.workspacePlan(opts, source, imageRef, image, warn, say);

    const requests = portRequestsOf(opts, source, image);
    for (const [key, hostPort] of Object.entries(opts.hostPorts ?? {})) {
      if (!(await isTcpPortFree(hostPort))) {
        throw new AppError(
          'CONFLICT',
          `Host port ${hostPort} (for ${key}) is already in use on 127.0.0.1. Stop what listens there, or let the app choose a free port.`,
          { port: hostPort },
        );
      }
    }
    if (opts.mode === 'args' && source.template?.onstart) {
      say('args mode: the template onstart is not used (Vast runs it only in ssh and jupyter modes).');
    }
    if (opts.mode === 'args' && !opts.args?.length && source.template?.args.length) {
      say(
        `args mode: the template's args_str is passed to the ENTRYPOINT: ${source.template.args.join(' ')}`,
      );
    }
    const launch: LaunchPlan = {
      opts,
      source,
      imageRef,
      imageId: image.Id,
      requests,
      gpu,
      storageOpt,
      workspace,
      warn,
    };
    let created: StartedRun | null = null;
    for (let attempt = 1; created === null; attempt++) {
      try {
        created = await this.createAndStart(launch, signal, progress);
      } catch (err) {
        // The free ports were chosen before create (Vast's VAST_TCP_PORT_<n> must be known inside), so
        // another program can take one in between: choose again, a few times.
        if (!(err instanceof PortTaken) || attempt >= 3 || opts.hostPorts)
          throw err instanceof PortTaken ? err.error : err;
        say('A chosen host port was taken in the meantime; choosing new ports.');
      }
    }
    const { container, createdAt, instanceId, facts } = created;
    // Inspected while the readiness wait runs: what it reports does not change once the container is
    // up, so "ready" is not followed by one more engine round trip. Asked again if this one failed.
    const inspectedEarly = this.inspectRun(container.id).catch(() => null);
    try {
      say(`Started ${container.id.slice(0, 12)} (${opts.mode} mode, C.${instanceId}); waiting until ready.`);
      progress?.emit('step', { step: 'wait' });
      await this.waitForReadiness(container.id, facts, {
        timeoutMs: opts.readyTimeoutMs ?? 180_000,
        signal,
        progress,
      });
    } catch (err) {
      if (signal.aborted || !(err instanceof AppError && err.code === 'TIMEOUT')) {
        // A run that never became ready because of a check or a cancel leaves nothing behind.
        await container.remove({ force: true, v: true }).catch(() => undefined);
      }
      if (signal.aborted)
        throw new AppError('CANCELLED', 'The run was cancelled; its container was removed.');
      throw err;
    }
    const readyMs = Date.now() - createdAt;
    const [early] = await Promise.all([inspectedEarly, this.recordReady(container.id, readyMs)]);
    const run = early ? { ...this.runInfoOf(early), readyMs } : await this.get(container.id);
    say(`Ready in ${(readyMs / 1000).toFixed(1)} s.`);
    progress?.emit('ready', { id: run.id, readyMs });
    return { run, readyMs, buildMs, warnings };
  }

  /** Chooses ports, creates the container, puts /.launch in, starts it. Removes it again on any failure. */
  private async createAndStart(
    plan: LaunchPlan,
    signal: AbortSignal,
    progress?: ProgressReporter,
  ): Promise<StartedRun> {
    const { opts, source, imageRef, requests, gpu, storageOpt, workspace, warn } = plan;
    const key = await this.key();
    const planned = await planPorts(
      requests,
      this.options.pickFreePort ?? pickFreePort,
      opts.hostPorts ?? {},
    );

    const identity = freshRunIdentity();
    const { instanceId } = identity;
    const { env, warnings: envWarnings } = buildVastEnv({
      mode: opts.mode,
      ...identity,
      gpuCount: gpu.count,
      sshPublicKey: key.publicKey.trim(),
      portEnv: portEnv(planned),
      templateEnv: source.template?.env ?? {},
      // DATA_DIRECTORY follows a mounted workspace (unless the user set it), as it follows WORKSPACE in the image.
      userEnv: workspace ? { DATA_DIRECTORY: `${workspace.info.target}/`, ...opts.env } : opts.env,
    });
    envWarnings.forEach(warn);

    const ports = portMap(planned);
    const expectsBoot = opts.mode === 'args' || (source.template?.onstart ?? '').trim() !== '' ? '1' : '0';
    const labels: Record<string, string> = {
      ...this.extraLabels,
      [RUN_LABEL]: '1',
      [LABELS.mode]: opts.mode,
      [LABELS.source]: source.source,
      [LABELS.template]: source.templateName ?? '',
      [LABELS.image]: imageRef,
      [LABELS.instanceId]: String(instanceId),
      [LABELS.ports]: JSON.stringify(ports),
      [LABELS.identityFile]: key.identityFile,
      [LABELS.cpuOnly]: gpu.count === 0 ? '1' : '0',
      [LABELS.boot]: expectsBoot,
      ...(opts.ephemeral ? { [LABELS.ephemeral]: '1' } : {}),
      ...(workspace ? { [LABELS.workspace]: JSON.stringify(workspace.info) } : {}),
    };
    const { ExposedPorts, PortBindings } = dockerPortConfig(planned);
    const launched = opts.mode !== 'args';
    const createOptions: Docker.ContainerCreateOptions = {
      name: `tstudio-run-${instanceId}`,
      Image: imageRef,
      Env: envList(env),
      Labels: labels,
      ExposedPorts,
      // ssh/jupyter: Vast replaces the ENTRYPOINT with its /.launch. args: the image's own, with args as CMD.
      ...(launched
        ? launchCommand(await launchFiles(this.launchScriptsDir(), source.template?.onstart ?? ''), opts.mode)
        : argsOf(opts, source).length > 0
          ? { Cmd: argsOf(opts, source) }
          : {}),
      HostConfig: {
        PortBindings,
        ...(opts.limits?.cpus ? { NanoCpus: Math.round(opts.limits.cpus * 1e9) } : {}),
        ...(opts.limits?.memoryBytes ? { Memory: opts.limits.memoryBytes } : {}),
        ...(opts.limits?.shmBytes ? { ShmSize: opts.limits.shmBytes } : {}),
        ...(storageOpt ? { StorageOpt: storageOpt } : {}),
        ...(gpu.deviceRequests ? { DeviceRequests: gpu.deviceRequests } : {}),
        ...(workspace ? { Mounts: [workspace.mount] } : {}),
      },
    };

    progress?.emit('step', { step: 'create' });
    const createdAt = Date.now();
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(createOptions);
    } catch (err) {
      // overlay2 on xfs takes a size only with the pquota mount option, which info does not show.
      if (!storageOpt || !/storage-opt|pquota|quota/i.test(String((err as Error).message))) {
        throw dockerError(err, `create a container from ${imageRef}`);
      }
      warn(
        `The disk size (${opts.limits?.diskGb} GB) is not applied: the engine refused it (${String((err as Error).message).trim()}).`,
      );
      delete createOptions.HostConfig?.StorageOpt;
      container = await this.docker.createContainer(createOptions).catch((e: unknown) => {
        throw dockerError(e, `create a container from ${imageRef}`);
      });
    }
    try {
      if (launched) await this.checkLaunchable(container, plan.imageId, opts.mode, imageRef);
      signal.throwIfAborted();
      progress?.emit('step', { step: 'start' });
      // Whole seconds, floored: at or before the engine's own start time, as the readiness check needs.
      const startedAtSeconds = Math.floor(Date.now() / 1000);
      try {
        await container.start();
      } catch (err) {
        const error = dockerError(err, `start the container from ${imageRef}`);
        throw /port is already allocated|address already in use/i.test(String((err as Error).message))
          ? new PortTaken(error)
          : error;
      }
      return {
        container,
        createdAt,
        instanceId,
        facts: { mode: opts.mode, ports, startedAtSeconds, outputSinceMs: 0, expectsBoot },
      };
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      if (signal.aborted)
        throw new AppError('CANCELLED', 'The run was cancelled; its container was removed.');
      throw err;
    }
  }

  /**
   * What `start` would create, without creating it (compose export of a template): the image is built
   * if missing, free host ports are chosen now and fixed, tokens and the instance id are fresh. A
   * workspace is described but not made, and no choice is remembered.
   */
  async describeLaunch(opts: RunStartOptions, progress?: ProgressReporter): Promise<LaunchDescription> {
    const signal = progress?.signal ?? new AbortController().signal;
    const source = await resolveSource(opts.source, { template: opts.template });
    const imageRef = opts.buildTag ?? source.imageRef;
    const { image } = await this.ensureImage(source, imageRef, opts.build ?? 'if-missing', signal, progress);
    const info = (await this.docker.info()) as EngineInfo;
    const gpu = await gpuPlanOf(info, this.gpuCounter(engineGpuCounter(this.docker, imageRef)));
    if (gpu.warning) progress?.log(`warning: ${gpu.warning}\n`);
    const planned = await planPorts(
      portRequestsOf(opts, source, image),
      this.options.pickFreePort ?? pickFreePort,
      opts.hostPorts ?? {},
    );
    const imageEnv = envRecord(image.Config?.Env);
    const templateEnv = source.template?.env ?? {};
    let workspace: LaunchDescription['workspace'] = null;
    const chosen =
      opts.workspace === undefined
        ? await new WorkspaceChoices(this.options.dataDir).get(workspaceKeyOf(source))
        : opts.workspace === null || opts.workspace.trim() === 'none'
          ? null
          : parseWorkspaceSpec(opts.workspace);
    if (chosen) {
      workspace = {
        kind: chosen.kind,
        source: chosen.kind === 'volume' ? chosen.name : chosen.path,
        target: workspaceTarget(opts.env, templateEnv, imageEnv),
      };
    }
    const key = await this.key();
    const identity = freshRunIdentity();
    const { env } = buildVastEnv({
      mode: opts.mode,
      ...identity,
      gpuCount: gpu.count,
      sshPublicKey: key.publicKey.trim(),
      portEnv: portEnv(planned),
      templateEnv,
      userEnv: workspace ? { DATA_DIRECTORY: `${workspace.target}/`, ...opts.env } : opts.env,
    });
    const launched = opts.mode !== 'args';
    const files = launched
      ? await launchFiles(this.launchScriptsDir(), source.template?.onstart ?? '')
      : null;
    return {
      origin: { kind: 'source', source: source.source },
      mode: opts.mode,
      image: imageRef,
      ...(launched
        ? describedLaunchCommand(opts.mode)
        : { entrypoint: null, cmd: argsOf(opts, source).length > 0 ? argsOf(opts, source) : null }),
      env,
      vastEnvNames: Object.keys(env).filter(
        (name) => isVastInjected(name) && !(opts.env && name in opts.env),
      ),
      ports: portMap(planned),
      workspace,
      aclWanted: workspace?.kind === 'host' && !aclSkipped(opts.env, templateEnv, imageEnv),
      limits: {
        nanoCpus: opts.limits?.cpus ? Math.round(opts.limits.cpus * 1e9) : null,
        memoryBytes: opts.limits?.memoryBytes ?? null,
        shmBytes: opts.limits?.shmBytes ?? null,
      },
      gpu: gpu.deviceRequests !== null,
      identityFile: key.identityFile,
      launchFiles: files,
    };
  }

  /** A run as it was made (from its container and labels), with the launch files read back out of it. */
  async describeRun(id: string): Promise<LaunchDescription> {
    const run = await this.inspectRun(id);
    const labels = run.Config.Labels ?? {};
    const mode = runModeOf(labels[LABELS.mode]);
    const imageRef = labels[LABELS.image] ?? run.Config.Image;
    const image = await this.docker
      .getImage(run.Image)
      .inspect()
      .catch(() => null);
    const imageEnv = envRecord(image?.Config?.Env);
    // The container's Env is the image's ENV merged with the run's: keep only what the run set.
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(envRecord(run.Config.Env)))
      if (imageEnv[name] !== value) env[name] = value;
    const workspace = parseWorkspaceLabel(labels[LABELS.workspace]);
    const launched = mode !== 'args';
    const sameAsImage = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const shm = run.HostConfig.ShmSize;
    return {
      origin: { kind: 'run', id: run.Id.slice(0, 12) },
      mode,
      image: imageRef,
      // A launched run's config carries launch.sh itself (see launchCommand): described as describeLaunch.
      ...(launched
        ? describedLaunchCommand(mode)
        : {
            entrypoint: sameAsImage(run.Config.Entrypoint, image?.Config?.Entrypoint)
              ? null
              : ((run.Config.Entrypoint as string[] | null) ?? null),
            cmd: sameAsImage(run.Config.Cmd, image?.Config?.Cmd) ? null : (run.Config.Cmd ?? null),
          }),
      env,
      vastEnvNames: Object.keys(env).filter(isVastInjected),
      ports: parsePortsLabel(labels[LABELS.ports]),
      workspace: workspace
        ? { kind: workspace.kind, source: workspace.source, target: workspace.target }
        : null,
      // Only the user's SKIP_ACL opts out; a folder that was root's then may be a user's later.
      aclWanted: workspace?.kind === 'host' && workspace.acl !== 'skipped: SKIP_ACL=true',
      limits: {
        nanoCpus: run.HostConfig.NanoCpus || null,
        memoryBytes: run.HostConfig.Memory || null,
        // 64 MiB is Docker's own default: only a size the run asked for is worth reproducing.
        shmBytes: shm && shm !== 64 * 1024 * 1024 ? shm : null,
      },
      gpu: (run.HostConfig.DeviceRequests ?? []).length > 0,
      identityFile: labels[LABELS.identityFile] ?? this.options.identityFile ?? null,
      launchFiles: launched ? await readLaunchFiles(this.docker.getContainer(run.Id)) : null,
    };
  }

  /** SSH answers (a handshake, ssh/jupyter modes), Jupyter answers (jupyter mode) and /.provisioning is gone. */
  async waitUntilReady(
    id: string,
    opts: { timeoutMs: number; signal?: AbortSignal; progress?: ProgressReporter },
  ): Promise<void> {
    const inspected = await this.docker
      .getContainer(id)
      .inspect()
      .catch((err: unknown) => {
        throw dockerError(err, `inspect run ${id.slice(0, 12)}`);
      });
    const labels = inspected.Config.Labels ?? {};
    const startedAt = Date.parse(inspected.State.StartedAt);
    const facts: ReadyFacts = {
      mode: runModeOf(labels[LABELS.mode]),
      ports: parsePortsLabel(labels[LABELS.ports]),
      startedAtSeconds: Math.floor(startedAt / 1000),
      outputSinceMs: startedAt,
      expectsBoot: labels[LABELS.boot] !== '0' ? '1' : '0',
    };
    await this.waitForReadiness(inspected.Id, facts, opts);
  }

  /** waitUntilReady with what the caller already knows of the run (start knows it all: no inspect). */
  private async waitForReadiness(
    id: string,
    facts: ReadyFacts,
    opts: { timeoutMs: number; signal?: AbortSignal; progress?: ProgressReporter },
  ): Promise<void> {
    const deadline = Date.now() + opts.timeoutMs;
    const { mode, ports, startedAtSeconds, outputSinceMs, expectsBoot } = facts;
    const timeout = (what: string) =>
      new AppError(
        'TIMEOUT',
        `Run ${id.slice(0, 12)} was not ready after ${Math.round(opts.timeoutMs / 1000)} s (${what}). Its output: tstudio logs ${id.slice(0, 12)}; remove it with tstudio rm ${id.slice(0, 12)}.`,
      );

    // SSH, Jupyter and provisioning are waited for side by side; the first failure stops the others.
    const inner = new AbortController();
    const onOuterAbort = () => inner.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    // The launch script says on the container's output when sshd listens (an SSH handshake is then tried
    // at once) and when its watcher saw provisioning end (no docker exec needed to look). The output
    // ending means the container stopped, which the provisioning wait reports.
    const sshWakeup = new Wakeup();
    const provisioningWakeup = new Wakeup();
    const provisioning = { endedPerLaunchScript: false };
    // Why port 8080 will never answer, once the launch script has said so (jupyter mode).
    let jupyterFailure: AppError | null = null;
    const follower: Promise<LaunchOutputFollower> = followLaunchOutput(
      this.docker,
      id,
      outputSinceMs,
      (hint, said) => {
        if (hint === 'sshd') return sshWakeup.wake();
        if (hint === 'jupyter-missing' || hint === 'jupyter-exited') {
          jupyterFailure ??= jupyterFailureOf(hint, said);
          return;
        }
        provisioning.endedPerLaunchScript = true;
        provisioningWakeup.wake();
      },
      () => provisioningWakeup.wake(),
    );
    const waits: Promise<void>[] = [
      this.waitForProvisioning(id, {
        startedAtSeconds,
        expectsBoot,
        // Only the launch script (ssh and jupyter modes) watches provisioning.
        watched: mode !== 'args',
        endedPerLaunchScript: () => provisioning.endedPerLaunchScript,
        wakeup: provisioningWakeup,
        deadline,
        signal: inner.signal,
        timeout,
      }),
    ];
    if (mode !== 'args') {
      const sshPort = ports['22/tcp'];
      if (sshPort === undefined)
        throw new AppError('INTERNAL', `Run ${id.slice(0, 12)} has no published port 22.`);
      waits.push(
        waitForSshHandshake({
          host: '127.0.0.1',
          port: sshPort,
          username: 'root',
          timeoutMs: deadline - Date.now(),
          signal: inner.signal,
          wakeup: sshWakeup,
        }).then((handshake) => {
          if (inner.signal.aborted) return;
          if (!handshake.ok)
            throw timeout(`no SSH handshake on 127.0.0.1:${sshPort}: ${handshake.lastError ?? 'no answer'}`);
          opts.progress?.emit('step', { step: 'ssh', attempts: handshake.attempts });
        }),
      );
    }
    const jupyterPort = ports['8080/tcp'];
    if (mode === 'jupyter' && jupyterPort !== undefined) {
      waits.push(
        (async () => {
          while (!(await httpAnswers(jupyterPort))) {
            if (inner.signal.aborted) return;
            if (jupyterFailure) throw jupyterFailure;
            if (Date.now() > deadline) throw timeout(`Jupyter did not answer on 127.0.0.1:${jupyterPort}`);
            await pause(150, inner.signal);
          }
        })(),
      );
    }
    try {
      await Promise.all(
        waits.map((wait) =>
          wait.catch((err: unknown) => {
            inner.abort();
            throw err;
          }),
        ),
      );
    } finally {
      inner.abort();
      opts.signal?.removeEventListener('abort', onOuterAbort);
      void follower.then((f) => f.close());
    }
    opts.signal?.throwIfAborted();
  }

  /**
   * /.provisioning gone (see PROVISIONING_DONE_SCRIPT); fails as soon as the container stops. In ssh
   * and jupyter modes the launch script's watcher applies the same rules inside the container and
   * says "provisioning ended" on the output, which ends this wait without a docker exec (an exec
   * costs 100-200 ms on a busy machine). The exec check stays as the fallback: at once in args mode
   * (no launch script), else when the launch script has said nothing for a second (a run made by an
   * older launch script says nothing), then on a timer that grows.
   */
  private async waitForProvisioning(
    id: string,
    o: {
      startedAtSeconds: number;
      expectsBoot: '0' | '1';
      watched: boolean;
      endedPerLaunchScript: () => boolean;
      wakeup: Wakeup;
      deadline: number;
      signal: AbortSignal;
      timeout: (what: string) => AppError;
    },
  ): Promise<void> {
    const transport = new DockerExecTransport(this.docker, id);
    let delay = 150;
    if (o.watched) await o.wakeup.pause(1000, o.signal);
    while (!o.signal.aborted) {
      if (o.endedPerLaunchScript()) return;
      await this.assertStillRunning(id);
      const check = await transport.exec(
        ['sh', '-c', PROVISIONING_DONE_SCRIPT, 'sh', String(o.startedAtSeconds), o.expectsBoot],
        { signal: o.signal, timeoutMs: 15_000 },
      );
      if (check.exitCode === 0) return;
      if (Date.now() > o.deadline) throw o.timeout('/.provisioning is still there');
      await o.wakeup.pause(delay, o.signal);
      if (o.watched) delay = Math.min(1000, Math.round(delay * 1.5));
    }
  }

  async list(): Promise<RunInfo[]> {
    const containers = await this.docker
      .listContainers({ all: true, filters: { label: [`${RUN_LABEL}=1`] } })
      .catch((err: unknown) => {
        throw dockerError(err, 'list runs');
      });
    // Sandbox instances are local runs underneath (tstudio.run=1) but belong to the Vast view: the
    // sandbox labels them tstudio.sandbox=1 (SANDBOX_CONTAINER_LABELS.sandbox in vast/, which this
    // service may not import: vast depends on launch).
    const own = containers.filter((c) => c.Labels?.[SANDBOX_LABEL] !== '1');
    const runs = await Promise.all(own.map((c) => this.get(c.Id).catch(() => null)));
    return runs.filter((r): r is RunInfo => r !== null).sort((a, b) => b.createdAt - a.createdAt);
  }

  async get(id: string): Promise<RunInfo> {
    const inspected = await this.inspectRun(id);
    return { ...this.runInfoOf(inspected), readyMs: await this.readyRecordOf(inspected.Id) };
  }

  /** A run as the list shows it; its uptime and status are as of now, not of the inspection. */
  private runInfoOf(inspected: Docker.ContainerInspectInfo): RunInfo {
    const labels = inspected.Config.Labels ?? {};
    const state = runStateOf(inspected.State.Status);
    const startedAt =
      state === 'running' || state === 'paused' ? Date.parse(inspected.State.StartedAt) : null;
    const mode = runModeOf(labels[LABELS.mode]);
    const ports = parsePortsLabel(labels[LABELS.ports]);
    const instanceId = Number(labels[LABELS.instanceId] ?? 0);
    const sshPort = ports['22/tcp'];
    return {
      id: inspected.Id.slice(0, 12),
      containerId: inspected.Id,
      name: inspected.Name.replace(/^\//, ''),
      mode,
      image: labels[LABELS.image] ?? inspected.Config.Image,
      source: labels[LABELS.source] ?? inspected.Config.Image,
      template: labels[LABELS.template] || null,
      instanceId,
      containerLabel: `C.${instanceId}`,
      state,
      status: describeState(inspected.State),
      createdAt: Date.parse(inspected.Created),
      startedAt,
      uptimeSeconds: startedAt === null ? null : Math.max(0, Math.floor((Date.now() - startedAt) / 1000)),
      ports,
      ssh:
        mode !== 'args' && sshPort !== undefined
          ? {
              host: '127.0.0.1',
              port: sshPort,
              user: 'root',
              identityFile: labels[LABELS.identityFile] ?? this.options.identityFile ?? '',
            }
          : null,
      cpuOnly: labels[LABELS.cpuOnly] !== '0',
      ephemeral: labels[LABELS.ephemeral] === '1',
      workspace: parseWorkspaceLabel(labels[LABELS.workspace]),
      // Kept in a file, not in the inspection: get() reads it.
      readyMs: null,
    };
  }

  /** The ready time kept for a container (labels cannot change after create), or null. */
  private async readyRecordOf(containerId: string): Promise<number | null> {
    try {
      const record = JSON.parse(await readFile(this.readyRecordPath(containerId), 'utf8')) as {
        readyMs?: unknown;
      };
      return typeof record.readyMs === 'number' ? record.readyMs : null;
    } catch {
      return null;
    }
  }

  async stop(id: string): Promise<void> {
    const run = await this.inspectRun(id);
    await this.docker
      .getContainer(run.Id)
      .stop({ t: 5 })
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 304) throw dockerError(err, `stop run ${id}`);
      });
  }

  /** Starts a stopped run; /.launch runs onstart again, as on Vast. */
  async resume(
    id: string,
    opts: { wait?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const run = await this.inspectRun(id);
    await this.docker
      .getContainer(run.Id)
      .start()
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 304) throw dockerError(err, `start run ${id}`);
      });
    if (opts.wait)
      await this.waitUntilReady(run.Id, { timeoutMs: opts.timeoutMs ?? 180_000, signal: opts.signal });
  }

  async restart(
    id: string,
    opts: { wait?: boolean; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<void> {
    const run = await this.inspectRun(id);
    await this.docker
      .getContainer(run.Id)
      .restart({ t: 5 })
      .catch((err: unknown) => {
        throw dockerError(err, `restart run ${id}`);
      });
    if (opts.wait)
      await this.waitUntilReady(run.Id, { timeoutMs: opts.timeoutMs ?? 180_000, signal: opts.signal });
  }

  async remove(id: string): Promise<void> {
    const run = await this.inspectRun(id);
    await this.docker
      .getContainer(run.Id)
      .remove({ force: true, v: true })
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 404) throw dockerError(err, `remove run ${id}`);
      });
  }

  /** The container's own output (stdout and stderr merged in order of arrival per stream). */
  async logs(id: string, tail = 500): Promise<string> {
    const run = await this.inspectRun(id);
    const raw = (await this.docker
      .getContainer(run.Id)
      .logs({ stdout: true, stderr: true, follow: false, tail: Math.max(1, Math.min(tail, 100_000)) })
      .catch((err: unknown) => {
        throw dockerError(err, `read the output of run ${id}`);
      })) as unknown as Buffer;
    return run.Config.Tty ? raw.toString('utf8') : demuxBuffer(raw);
  }

  /**
   * Follows the container's own output: the last `tail` lines (all when omitted), then what it
   * writes, until the container stops or `signal` aborts (see followContainerOutput).
   */
  async followLogs(id: string, opts: FollowOutputOptions): Promise<void> {
    const run = await this.inspectRun(id);
    if (opts.signal?.aborted) return;
    await followContainerOutput(this.docker, run, opts).catch((err: unknown) => {
      throw dockerError(err, `follow the output of run ${id}`);
    });
  }

  /**
   * Removes runs that nobody will come back to: stopped runs of a killed smoke (ephemeral), and
   * containers that were created but never started (a start that crashed half way). A run younger
   * than `minAgeMs` is left alone: it may be a start in progress (created, not yet started) in this
   * or another process.
   */
  async cleanupOrphans(minAgeMs = 10 * 60_000): Promise<string[]> {
    const runs = await this.list();
    const now = Date.now();
    const orphans = runs.filter(
      (r) =>
        (r.ephemeral && (r.state === 'exited' || r.state === 'dead')) ||
        ((r.state === 'created' || r.state === 'dead') && now - r.createdAt >= minAgeMs),
    );
    for (const r of orphans) await this.remove(r.containerId).catch(() => undefined);
    return orphans.map((r) => r.id);
  }

  /**
   * The run's SSH host keys (`ssh-ed25519 AAAA…` lines), made fresh by /.launch in each container.
   * Lets an SSH client pin them instead of trusting on first use a 127.0.0.1 port that the next run
   * may reuse with other keys.
   */
  async hostKeys(id: string): Promise<string[]> {
    const run = await this.inspectRun(id);
    const result = await new DockerExecTransport(this.docker, run.Id).exec(
      ['sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null; true'],
      { timeoutMs: 15_000 },
    );
    return result.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(0, 2).join(' '))
      .filter((line) => /^(ssh-|ecdsa-)\S+ \S+$/.test(line));
  }

  /** Supervisor status, control and logs inside a run, over docker exec. */
  supervisor(id: string): SupervisorClient {
    return new SupervisorClient(new DockerExecTransport(this.docker, id));
  }

  /** The image to run, built first when the policy asks for it (and the source can be built). */
  private async ensureImage(
    source: ResolvedSource,
    imageRef: string,
    policy: 'if-missing' | 'always' | 'never',
    signal: AbortSignal,
    progress?: ProgressReporter,
  ): Promise<{ image: Docker.ImageInspectInfo; buildMs: number | null }> {
    const existing = await this.docker
      .getImage(imageRef)
      .inspect()
      .catch(() => null);
    const canBuild = source.kind === 'template' && source.hasDockerfile && source.dir !== null;
    if (policy === 'never' || (policy === 'if-missing' && existing) || !canBuild) {
      // Not built here: the image found, or the error that says why there is none.
      return { image: existing ?? (await this.inspectImage(imageRef, source)), buildMs: null };
    }
    progress?.emit('step', { step: 'build', image: imageRef });
    progress?.log(`Building ${imageRef} from ${source.dir}\n`);
    const started = Date.now();
    await buildImageFromFolder(this.docker, source.dir as string, imageRef, {
      labels: this.extraLabels,
      signal,
      onLog: (text) => progress?.log(text),
    });
    const buildMs = Date.now() - started;
    return { image: await this.inspectImage(imageRef, source), buildMs };
  }

  /** The image's details, or an error that says how to get the image (or why the engine failed). */
  private async inspectImage(imageRef: string, source: ResolvedSource): Promise<Docker.ImageInspectInfo> {
    try {
      return await this.docker.getImage(imageRef).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        const fix =
          source.kind === 'template' && !source.hasDockerfile
            ? `${source.dir} has no Dockerfile to build it from: pull it (docker pull ${imageRef}) or add the Dockerfile.`
            : `Build it first, or pull it (docker pull ${imageRef}).`;
        throw new AppError('NOT_FOUND', `The image ${imageRef} is not on the local engine. ${fix}`, {
          image: imageRef,
        });
      }
      throw dockerError(err, `inspect the image ${imageRef}`);
    }
  }

  /** Checks made on the created (not yet started) container's filesystem, before anything runs. */
  private async checkLaunchable(
    container: Docker.Container,
    imageId: string,
    mode: RunMode,
    imageRef: string,
  ): Promise<void> {
    const { hasShell, hasSshd } = await this.launchFacts(container, imageId);
    if (!hasShell) {
      throw new AppError(
        'TEMPLATE_INVALID',
        `The image ${imageRef} has no /bin/sh, so Vast's launch script cannot run in it. Use args mode, or base the image on one with a shell.`,
      );
    }
    if (!hasSshd) {
      throw new AppError(
        'TEMPLATE_INVALID',
        `The image ${imageRef} has no sshd. Vast installs one at run time, but a local run cannot download it. ` +
          'Add openssh-server to the image (RUN apt-get install -y openssh-server), or run it in args mode.',
        { image: imageRef, mode },
      );
    }
    // Jupyter is not looked for here: it may be anywhere on the image's PATH. The launch script looks
    // there and says so when there is none, which ends the wait with the fix (jupyterFailureOf).
  }

  /**
   * Whether an image has a shell and sshd where the launch script looks. Read from the created
   * container's filesystem (each look makes the engine mount it) once per image id: an image never
   * changes, and the next run of it goes straight to the start.
   */
  private launchFacts(container: Docker.Container, imageId: string): Promise<LaunchFacts> {
    let facts = this.launchFactsByImage.get(imageId);
    if (!facts) {
      facts = Promise.all([anyPathExists(container, ['/bin/sh']), anyPathExists(container, SSHD_PATHS)]).then(
        ([hasShell, hasSshd]) => ({ hasShell, hasSshd }),
      );
      this.launchFactsByImage.set(imageId, facts);
      // A failed look (the engine went away) is not a fact about the image.
      facts.catch(() => this.launchFactsByImage.delete(imageId));
    }
    return facts;
  }

  /** The workspace to mount (chosen now or remembered for the template), made ready, ACL included. */
  private async workspacePlan(
    opts: RunStartOptions,
    source: ResolvedSource,
    imageRef: string,
    image: Docker.ImageInspectInfo,
    warn: (t: string) => void,
    say: (t: string) => void,
  ): Promise<PlannedWorkspace | null> {
    if (opts.workspace === null) return null;
    const choices = new WorkspaceChoices(this.options.dataDir);
    const key = workspaceKeyOf(source);
    let spec: WorkspaceSpec | null;
    if (opts.workspace === undefined) {
      spec = await choices.get(key);
      if (spec) say(`Using the workspace remembered for this template.`);
    } else if (opts.workspace.trim() === 'none') {
      spec = null;
      await choices.set(key, null).catch(() => undefined);
    } else {
      spec = parseWorkspaceSpec(opts.workspace);
      await choices.set(key, spec).catch((err: unknown) => {
        warn(`The workspace choice was not remembered: ${(err as Error).message}`);
      });
    }
    if (!spec) return null;
    const imageEnv = envRecord(image.Config?.Env);
    const templateEnv = source.template?.env ?? {};
    const target = workspaceTarget(opts.env, templateEnv, imageEnv);
    const mount = await prepareWorkspaceMount(this.docker, spec, target, this.extraLabels);
    let acl: string;
    if (spec.kind === 'volume') {
      // A named volume lives inside the engine; no host user reads it directly.
      acl = 'skipped: a named volume';
    } else if (aclSkipped(opts.env, templateEnv, imageEnv)) {
      acl = 'skipped: SKIP_ACL=true';
    } else {
      const result = await applyWorkspaceAcl(this.docker, imageRef, spec.path, {
        uid: process.getuid?.(),
        labels: this.extraLabels,
      });
      acl = result.note;
      if (!result.applied && !result.note.startsWith('skipped'))
        warn(`The workspace ACL for your user was ${acl}; files the container creates may be root's only.`);
    }
    const sourceText = spec.kind === 'volume' ? spec.name : spec.path;
    say(`Workspace: ${spec.kind === 'volume' ? 'volume ' : ''}${sourceText} at ${target} (ACL ${acl}).`);
    return { mount, info: { kind: spec.kind, source: sourceText, target, acl } };
  }

  private async inspectRun(id: string): Promise<Docker.ContainerInspectInfo> {
    let inspected: Docker.ContainerInspectInfo;
    try {
      inspected = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404)
        throw new AppError(
          'NOT_FOUND',
          `There is no run ${id}. List runs with tstudio runs, or refresh the list.`,
        );
      throw dockerError(err, `inspect run ${id}`);
    }
    if (inspected.Config.Labels?.[RUN_LABEL] !== '1') {
      throw new AppError(
        'NOT_FOUND',
        `Container ${id} is not a Template Studio run; the app leaves other containers alone.`,
      );
    }
    return inspected;
  }

  private async assertStillRunning(id: string): Promise<void> {
    const state = (await this.docker.getContainer(id).inspect()).State;
    if (!state.Running) {
      const tail = await this.logs(id, 30).catch(() => '');
      throw new AppError(
        'DOCKER_ERROR',
        `Run ${id.slice(0, 12)} stopped before it was ready (exit code ${state.ExitCode}). Last output:\n${tail.trim()}`,
      );
    }
  }

  private readyRecordPath(containerId: string): string {
    return join(this.options.dataDir, 'runs', `${containerId}.json`);
  }

  private async recordReady(containerId: string, readyMs: number): Promise<void> {
    try {
      await mkdir(join(this.options.dataDir, 'runs'), { recursive: true });
      await writeFile(this.readyRecordPath(containerId), JSON.stringify({ readyMs, at: Date.now() }));
    } catch {
      // Only a nicety for the list after a restart of the app.
    }
  }
}

async function anyPathExists(container: Docker.Container, paths: string[]): Promise<boolean> {
  for (const path of paths) {
    const found = await (container as unknown as { infoArchive(o: { path: string }): Promise<unknown> })
      .infoArchive({ path })
      .then(() => true)
      .catch(() => false);
    if (found) return true;
  }
  return false;
}

/** The ports a run asks for: the mode's, the template's, the image's EXPOSE (as Vast does) and the user's. */
function portRequestsOf(
  opts: Pick<RunStartOptions, 'mode' | 'ports'>,
  source: ResolvedSource,
  image: Docker.ImageInspectInfo,
): PortRequest[] {
  const requests: PortRequest[] = portsOpenedByMode(opts.mode).map((p) => ({
    containerPort: p,
    protocol: 'tcp' as const,
  }));
  requests.push(...(source.template?.ports ?? []));
  // Vast auto-requests the image's EXPOSE ports.
  for (const key of Object.keys(image.Config?.ExposedPorts ?? {})) requests.push(parsePortSpec(key));
  for (const p of opts.ports ?? []) requests.push(parsePortSpec(p));
  return requests;
}

/** The key a template's workspace choice is remembered under: its templates/<name> folder, or the image. */
function workspaceKeyOf(source: ResolvedSource): string {
  if (source.kind === 'template' && source.dir)
    return source.templateName ? join(source.dir, 'templates', source.templateName) : source.dir;
  return `image:${source.imageRef}`;
}

function parseWorkspaceLabel(value: string | undefined): RunWorkspace | null {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value) as Partial<RunWorkspace>;
    if ((parsed.kind !== 'host' && parsed.kind !== 'volume') || typeof parsed.source !== 'string')
      return null;
    return {
      kind: parsed.kind,
      source: parsed.source,
      target: typeof parsed.target === 'string' ? parsed.target : '/workspace',
      acl: typeof parsed.acl === 'string' ? parsed.acl : '',
    };
  } catch {
    return null;
  }
}

function httpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** "Up 3 minutes", "Exited (0) 2 hours ago", "Created", as `docker ps` words it. */
function describeState(state: Docker.ContainerInspectInfo['State'], now = Date.now()): string {
  if (state.Running) return `Up ${humanDuration(now - Date.parse(state.StartedAt))}`;
  if (state.Status === 'created') return 'Created';
  const finished = Date.parse(state.FinishedAt);
  return Number.isFinite(finished) && finished > 0
    ? `Exited (${state.ExitCode}) ${humanDuration(now - finished)} ago`
    : `Exited (${state.ExitCode})`;
}

function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'}`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? '' : 's'}`;
  const d = Math.round(h / 24);
  return `${d} days`;
}

function dockerError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  const message = (
    (err as { json?: { message?: string } }).json?.message ??
    (err as Error).message ??
    String(err)
  ).trim();
  if ((err as { code?: string }).code === 'ECONNREFUSED' || (err as { code?: string }).code === 'ENOENT') {
    return new AppError(
      'DOCKER_UNAVAILABLE',
      `Could not ${what}: the Docker engine cannot be reached (${message}). Start Docker and try again.`,
    );
  }
  if (status === 409 || /port is already allocated|address already in use/i.test(message)) {
    return new AppError(
      'CONFLICT',
      `Could not ${what}: ${message}. A port or name is taken: stop what holds it, or retry (the app picks new free ports).`,
    );
  }
  if (status === 404) return new AppError('NOT_FOUND', `Could not ${what}: ${message}`);
  return new AppError('DOCKER_ERROR', `Could not ${what}: ${message}`);
}

/**
 * Jupyter mode when the launch script says port 8080 will never answer: refused like a missing sshd
 * (the run is removed, as after any failed check) instead of waiting out the timeout.
 */
function jupyterFailureOf(hint: 'jupyter-missing' | 'jupyter-exited', said: string): AppError {
  if (hint === 'jupyter-missing') {
    return new AppError(
      'TEMPLATE_INVALID',
      'The image has no jupyter on its PATH. Vast brings its own Jupyter in jupyter mode, but a local run cannot download it. ' +
        "Add Jupyter to the image (RUN pip install notebook, or Debian's jupyter-notebook), or run it in ssh mode.",
    );
  }
  return new AppError(
    'TEMPLATE_INVALID',
    `Jupyter ended before it answered on port 8080 (${said.replace(/^jupyter exited /, '')}). ` +
      'Its whole log is /var/log/jupyter.log in the container: run the image in ssh mode to read it.',
  );
}

/** args mode's CMD: the args given with the run, else the template's args_str (as Vast applies it). */
function argsOf(opts: RunStartOptions, source: ResolvedSource): string[] {
  return opts.args && opts.args.length > 0 ? opts.args : (source.template?.args ?? []);
}
