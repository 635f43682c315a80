import type { PortRequest } from '../env-flags';
import type { ParsedRuntype } from '../runtype';

/**
 * What the sandbox asks of whatever really runs an instance. The sandbox owns the Vast-side state
 * machine (actual_status, intended_status, status_msg, ports while running…); a backend only makes
 * the container exist, start, stop and go away.
 *
 * Two backends are meant to exist:
 * - `NoContainerBackend` (here): nothing runs; ports are invented. For API tests and fleets of 500.
 * - `ContainerBackend` (container-backend.ts, on top of the local-run service, src/main/services/launch),
 *   so that a sandbox instance is a real container in the requested mode with a real sshd. It must:
 *   1. `create(spec)`: make and start a container from `spec.image` the way Vast launches `spec.runtype`
 *      (ssh/jupyter replace the entrypoint and run `spec.onstart`; args keeps the entrypoint and
 *      uses `spec.args` as CMD), with `spec.env` plus `spec.vastEnv` set, and `VAST_TCP_PORT_<n>` /
 *      `VAST_UDP_PORT_<n>` for every published port (only it knows the host ports, so it sets them);
 *      publish 22/tcp (always: proxy SSH needs it too), 8080/tcp for jupyter, and every
 *      `spec.ports` entry, on 127.0.0.1 only; put `spec.sshPublicKeys` into root's authorized_keys;
 *      label the container with `spec.labels`. Resolve once sshd accepts connections (or reject
 *      with a message that reads like Docker's, e.g. "Error response from daemon: failed to pull
 *      image …", which the sandbox shows as status_msg with actual_status `exited`).
 *   2. `start(id)`/`stop(id)`: start or stop the same container; `start` resolves with the (new)
 *      host ports, since Docker may pick others after a restart.
 *   3. `remove(id)`: remove the container and anything made for it; a missing container is fine.
 *   4. `logs(id, tail)`: the container's combined stdout/stderr, last `tail` lines.
 *   5. `addSshKey(id, key)`: append a key to root's authorized_keys in the running container.
 *   6. `dispose()`: remove everything still there (the sandbox is shutting down).
 *   `signal` aborts a create that is still pulling or starting.
 */
export interface InstanceBackend {
  /** "none" or "docker": shown in the sandbox's banner. */
  readonly kind: string;
  create(spec: InstanceContainerSpec, signal?: AbortSignal): Promise<BackendPorts>;
  start(instanceId: number): Promise<BackendPorts>;
  stop(instanceId: number): Promise<void>;
  remove(instanceId: number): Promise<void>;
  logs(instanceId: number, tail: number): Promise<string>;
  addSshKey(instanceId: number, publicKey: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface InstanceContainerSpec {
  instanceId: number;
  /** `repo/name:tag` as the launch sent it. */
  image: string;
  runtype: ParsedRuntype;
  /** The user's env vars (ports already taken out). */
  env: Record<string, string>;
  /** Variables Vast itself injects: CONTAINER_ID, CONTAINER_API_KEY, VAST_CONTAINERLABEL, PUBLIC_IPADDR, JUPYTER_TOKEN, GPU_COUNT… */
  vastEnv: Record<string, string>;
  /** The `-p` requests of the launch. */
  ports: PortRequest[];
  onstart: string | null;
  /** Args mode only: replaces CMD. */
  args: string[] | null;
  diskGb: number;
  /** The account's keys at creation time (Vast adds them to new instances). */
  sshPublicKeys: string[];
  /** Docker labels the container must carry so it can be found and reaped. */
  labels: Record<string, string>;
}

/** Host ports of a started container: "22/tcp" -> 40022. `22/tcp` must be there when sshd is. */
export interface BackendPorts {
  ports: Record<string, number>;
}
