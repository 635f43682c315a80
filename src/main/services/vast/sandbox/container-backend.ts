import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { AppError } from '../../../../shared/errors';
import {
  buildImageFromFolder,
  LocalRunService,
  normalizeImageRef,
  type LocalRunServiceOptions,
  type RunMode,
} from '../../launch/index';
import { DockerExecTransport } from '../../supervisor/index';
import { imageRef, loadTemplateSource } from '../template-source';
import type { BackendPorts, InstanceBackend, InstanceContainerSpec } from './instance-backend';

export interface ContainerBackendOptions {
  docker: Docker;
  /**
   * How each instance's local run is made (the app's data dir and key, extra labels such as
   * tstudio.test=1): the same options the app's LocalRunService gets.
   */
  runs: LocalRunServiceOptions;
  /**
   * Images the sandbox "pulls" by building a local template folder when the engine lacks them
   * (no registry can be reached here): `{ 'tstudio/demo:dev': '<resources>/demo-template' }`.
   */
  buildable?: Record<string, string>;
  /** How long a create or start waits for SSH before giving up (ms). */
  readyTimeoutMs?: number;
}

/** Labels every sandbox container carries besides the sandbox's own (tstudio.sandbox, …instance). */
export const SANDBOX_CONTAINER_LABELS = {
  sandbox: 'tstudio.sandbox',
  instance: 'tstudio.sandbox.instance',
  /** One per backend, so sandboxes sharing an engine never remove each other's containers. */
  owner: 'tstudio.sandbox.owner',
  /** The process and host that made it: a container whose process is gone is an orphan. */
  pid: 'tstudio.sandbox.pid',
  host: 'tstudio.sandbox.host',
} as const;

/*
 * Vast writes the onstart to /root/onstart.sh and runs it on every start. LocalRunService takes an
 * onstart only from a template folder, and a sandbox instance has an image, so the script is put in
 * after /.launch has run its own (empty) one: launch.sh writes onstart.pid once it has, and runs the
 * file again on every later start. $1 is the onstart text (never part of the script itself).
 */
const ONSTART_SCRIPT = [
  'i=0',
  'while [ ! -f /.tstudio/onstart.pid ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i+1)); done',
  "{ echo '#!/bin/bash'; printf '%s\\n' \"$1\"; } > /root/onstart.sh",
  'chmod 755 /root/onstart.sh',
  'echo "[tstudio-sandbox] onstart run at $(date -u +%FT%TZ)" >> /var/log/onstart.log',
  'if command -v bash >/dev/null 2>&1; then r=bash; else r=sh; fi',
  'nohup "$r" /root/onstart.sh </dev/null >> /var/log/onstart.log 2>&1 &',
  'echo $! > /.tstudio/onstart.pid',
].join('\n');

/** Appends each argument as a line of root's authorized_keys unless it is there already. */
const ADD_KEYS_SCRIPT = [
  'mkdir -p /root/.ssh && chmod 700 /root/.ssh',
  'touch /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys',
  'for k in "$@"; do grep -qxF "$k" /root/.ssh/authorized_keys || printf \'%s\\n\' "$k" >> /root/.ssh/authorized_keys; done',
].join('\n');

/** Docker's reference grammar, roughly: lowercase path components, optional registry host, tag, digest. */
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * A sandbox backend where each instance is a real local run (src/main/services/launch): the image
 * in the mode its runtype asks for, with Vast's env, a real sshd and the account's keys, published
 * on 127.0.0.1. Stop, start, reboot and destroy act on that container.
 */
export class ContainerBackend implements InstanceBackend {
  readonly kind = 'docker';
  private readonly owner = randomBytes(8).toString('hex');
  private readonly runs: LocalRunService;
  /** Sandbox instance id -> container id, once its run exists. */
  private readonly containers = new Map<number, string>();
  private readonly creating = new Map<number, AbortController>();
  private readonly builds = new Map<string, Promise<void>>();
  private reaped: Promise<void> | null = null;

  constructor(private readonly options: ContainerBackendOptions) {
    this.runs = new LocalRunService(options.docker, options.runs);
  }

  async create(spec: InstanceContainerSpec, signal?: AbortSignal): Promise<BackendPorts> {
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort();
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    this.creating.set(spec.instanceId, abort);
    try {
      this.reaped ??= this.reapOrphans().then(() => undefined);
      await this.reaped;
      const image = await this.ensureImage(spec.image, abort.signal);
      const mode = runModeOf(spec);
      const runs = new LocalRunService(this.options.docker, {
        ...this.options.runs,
        labels: { ...this.options.runs.labels, ...spec.labels, ...this.ownLabels(spec.instanceId) },
      });
      // Vast's own variables win over the user's. SSH_PUBLIC_KEY stays the app's (LocalRunService
      // puts it in authorized_keys); the account's keys are appended below.
      const { SSH_PUBLIC_KEY: _accountKeys, ...vastEnv } = spec.vastEnv;
      let containerId: string;
      try {
        const ready = await runs.start(
          {
            source: image,
            mode,
            args: mode === 'args' && spec.args?.length ? spec.args : undefined,
            env: { ...spec.env, ...vastEnv },
            ports: spec.ports.map((p) => `${p.internal}/${p.protocol}`),
            limits: spec.diskGb > 0 ? { diskGb: spec.diskGb } : undefined,
            build: 'never',
            readyTimeoutMs: this.options.readyTimeoutMs ?? 120_000,
          },
          { signal: abort.signal, log: () => undefined, emit: () => undefined },
        );
        containerId = ready.run.containerId;
      } catch (err) {
        // A slow boot is not a failed launch: Vast calls an instance running once its container
        // runs. Only a container that is gone (or a cancel) fails the create.
        const running = await this.runningContainerOf(spec.instanceId);
        if (abort.signal.aborted || !(err instanceof AppError && err.code === 'TIMEOUT') || !running) {
          await this.removeContainers(spec.instanceId);
          throw asDaemonError(err);
        }
        containerId = running;
      }
      this.containers.set(spec.instanceId, containerId);
      const keys = spec.sshPublicKeys.flatMap(keyLines);
      if (keys.length > 0) await this.exec(containerId, ['sh', '-c', ADD_KEYS_SCRIPT, 'sh', ...keys]);
      if (mode !== 'args' && spec.onstart?.trim()) {
        await this.exec(containerId, ['sh', '-c', ONSTART_SCRIPT, 'sh', spec.onstart]);
      }
      return { ports: (await this.runs.get(containerId)).ports };
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
      if (this.creating.get(spec.instanceId) === abort) this.creating.delete(spec.instanceId);
    }
  }

  async start(instanceId: number): Promise<BackendPorts> {
    const containerId = await this.containerOf(instanceId);
    try {
      await this.runs.resume(containerId, { wait: true, timeoutMs: this.options.readyTimeoutMs ?? 120_000 });
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'TIMEOUT')) throw asDaemonError(err);
      if (!(await this.runningContainerOf(instanceId))) throw asDaemonError(err);
    }
    // Host ports were fixed when the container was made, so a restart keeps them.
    return { ports: (await this.runs.get(containerId)).ports };
  }

  async stop(instanceId: number): Promise<void> {
    await this.runs.stop(await this.containerOf(instanceId));
  }

  async remove(instanceId: number): Promise<void> {
    this.creating.get(instanceId)?.abort();
    this.containers.delete(instanceId);
    await this.removeContainers(instanceId);
  }

  async logs(instanceId: number, tail: number): Promise<string> {
    const containerId = await this.containerOf(instanceId).catch(() => null);
    if (!containerId) return '';
    return this.runs.logs(containerId, tail).catch(() => '');
  }

  async addSshKey(instanceId: number, publicKey: string): Promise<void> {
    const keys = keyLines(publicKey);
    if (keys.length === 0) return;
    await this.exec(await this.containerOf(instanceId), ['sh', '-c', ADD_KEYS_SCRIPT, 'sh', ...keys]);
  }

  async dispose(): Promise<void> {
    for (const abort of this.creating.values()) abort.abort();
    const containers = await this.options.docker
      .listContainers({
        all: true,
        filters: { label: [`${SANDBOX_CONTAINER_LABELS.owner}=${this.owner}`] },
      })
      .catch(() => []);
    await Promise.all(containers.map((c) => this.removeContainer(c.Id)));
    this.containers.clear();
  }

  /**
   * Removes sandbox containers left by a sandbox process on this host that is gone (killed before
   * it could clean up): nothing the sandbox made outlives it for long. Returns their ids.
   */
  async reapOrphans(): Promise<string[]> {
    const containers = await this.options.docker
      .listContainers({
        all: true,
        filters: {
          label: [`${SANDBOX_CONTAINER_LABELS.sandbox}=1`, `${SANDBOX_CONTAINER_LABELS.host}=${hostname()}`],
        },
      })
      .catch(() => []);
    const orphans = containers.filter((c) => {
      const pid = Number(c.Labels?.[SANDBOX_CONTAINER_LABELS.pid]);
      return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
    });
    await Promise.all(orphans.map((c) => this.removeContainer(c.Id)));
    return orphans.map((c) => c.Id);
  }

  private ownLabels(instanceId: number): Record<string, string> {
    return {
      [SANDBOX_CONTAINER_LABELS.sandbox]: '1',
      [SANDBOX_CONTAINER_LABELS.instance]: String(instanceId),
      [SANDBOX_CONTAINER_LABELS.owner]: this.owner,
      [SANDBOX_CONTAINER_LABELS.pid]: String(process.pid),
      [SANDBOX_CONTAINER_LABELS.host]: hostname(),
    };
  }

  /** The image on the engine: there already, or built from a known template folder, or a pull error. */
  private async ensureImage(image: string, signal: AbortSignal): Promise<string> {
    const trimmed = image.trim();
    if (!IMAGE_REFERENCE.test(trimmed)) {
      throw new Error(
        `Error response from daemon: invalid reference format: "${image}" is not an image name`,
      );
    }
    const ref = normalizeImageRef(trimmed);
    const present = await this.options.docker
      .getImage(ref)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (present) return ref;
    const folder = Object.entries(this.options.buildable ?? {}).find(
      ([name]) => normalizeImageRef(name) === ref,
    )?.[1];
    if (!folder) {
      // What Vast's status_msg says when the daemon cannot pull the image.
      const repo = ref.replace(/[:@][^/]*$/, '');
      throw new Error(
        `Error response from daemon: pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied (the sandbox pulls nothing: build ${ref} locally first)`,
      );
    }
    let build = this.builds.get(ref);
    if (!build) {
      const once = () =>
        buildImageFromFolder(this.options.docker, folder, ref, { labels: this.options.runs.labels, signal });
      // Concurrent builds sharing layers on one engine now and then fail with a layer error; a
      // second try (as Vast's daemon retries a pull) gets past it.
      build = once()
        .catch(() => {
          signal.throwIfAborted();
          return once();
        })
        .finally(() => this.builds.delete(ref));
      this.builds.set(ref, build);
    }
    try {
      await build;
    } catch (err) {
      throw new Error(
        `Error response from daemon: failed to pull image ${ref}: building it from ${folder} failed: ${messageOf(err)}`,
      );
    }
    return ref;
  }

  private async containerOf(instanceId: number): Promise<string> {
    const known = this.containers.get(instanceId);
    if (known) return known;
    const [found] = await this.labelled(instanceId);
    if (!found) throw new Error(`Error response from daemon: No such container for instance ${instanceId}`);
    this.containers.set(instanceId, found.Id);
    return found.Id;
  }

  private async runningContainerOf(instanceId: number): Promise<string | null> {
    const found = await this.labelled(instanceId);
    return found.find((c) => c.State === 'running')?.Id ?? null;
  }

  private labelled(instanceId: number): Promise<Docker.ContainerInfo[]> {
    return this.options.docker
      .listContainers({
        all: true,
        filters: {
          label: [
            `${SANDBOX_CONTAINER_LABELS.owner}=${this.owner}`,
            `${SANDBOX_CONTAINER_LABELS.instance}=${instanceId}`,
          ],
        },
      })
      .catch(() => []);
  }

  private async removeContainers(instanceId: number): Promise<void> {
    await Promise.all((await this.labelled(instanceId)).map((c) => this.removeContainer(c.Id)));
  }

  private async removeContainer(id: string): Promise<void> {
    await this.options.docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }

  private async exec(containerId: string, argv: string[]): Promise<void> {
    const result = await new DockerExecTransport(this.options.docker, containerId).exec(argv, {
      timeoutMs: 30_000,
    });
    if (result.exitCode !== 0) {
      throw new Error(
        `Error response from daemon: exec in the instance failed (exit ${result.exitCode}): ${result.stderr.trim()}`,
      );
    }
  }
}

/**
 * `{ 'tstudio/demo:dev': folder }` for template folders whose image the sandbox may build when the
 * engine lacks it (the `buildable` option). A folder whose template.yml cannot be read is skipped.
 */
export function buildableFromTemplates(folders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const folder of folders) {
    try {
      out[imageRef(loadTemplateSource(folder))] = folder;
    } catch {
      // Not a template folder: nothing to build from it.
    }
  }
  return out;
}

/** ssh and ssh_direct, jupyter and jupyter_direct are the same container; only what Vast lists differs. */
function runModeOf(spec: InstanceContainerSpec): RunMode {
  const mode = spec.runtype.mode;
  if (mode === 'args') return 'args';
  return mode.startsWith('jupyter') ? 'jupyter' : 'ssh';
}

/** One authorized_keys line per non-empty line: a key is never allowed to carry a second line in. */
function keyLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/** status_msg reads like the daemon's; the app's own explanation stays after it. */
function asDaemonError(err: unknown): Error {
  const message = messageOf(err);
  if (err instanceof AppError && err.code === 'CANCELLED') return new Error(message);
  return new Error(
    /^Error response from daemon/i.test(message) ? message : `Error response from daemon: ${message}`,
  );
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
