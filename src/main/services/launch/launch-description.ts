import type { RunMode } from './run-mode';
import type { RunWorkspace } from './workspace';

/**
 * Everything a local run is made of, in terms another tool can reproduce (compose export): what the
 * run adds over its image, not the image's own ENV or defaults.
 */
export interface LaunchDescription {
  /** Where it came from: a run id, or the template folder / image. */
  origin: { kind: 'run'; id: string } | { kind: 'source'; source: string };
  mode: RunMode;
  image: string;
  /** The replaced ENTRYPOINT (ssh/jupyter: /.launch's stand-in); null keeps the image's. */
  entrypoint: string[] | null;
  /** The CMD given (the mode for /.launch, args mode's args); null keeps the image's. */
  cmd: string[] | null;
  /** The environment the run adds or overrides: the template's env and what Vast injects. */
  env: Record<string, string>;
  /** Names in env that Vast injects (the rest come from the template or the user). */
  vastEnvNames: string[];
  /** `{"22/tcp": 40022}`: host port on 127.0.0.1 per container port. */
  ports: Record<string, number>;
  workspace: Omit<RunWorkspace, 'acl'> | null;
  /** SKIP_ACL=true, or no host folder: no ACL step. */
  aclWanted: boolean;
  limits: { nanoCpus: number | null; memoryBytes: number | null; shmBytes: number | null };
  /** The engine has the NVIDIA runtime and a GPU was (or would be) passed through. */
  gpu: boolean;
  /** The app key's private half, for `ssh -i` (its public half is SSH_PUBLIC_KEY). */
  identityFile: string | null;
  /** The files /.tstudio/launch holds (launch.sh, onstart); null in args mode. */
  launchFiles: Record<string, Buffer> | null;
}

/** Names buildVastEnv injects, as Vast does, over a template's env. */
export const VAST_INJECTED_ENV = [
  'CONTAINER_ID',
  'VAST_CONTAINERLABEL',
  'CONTAINER_API_KEY',
  'GPU_COUNT',
  'PUBLIC_IPADDR',
  'SSH_PUBLIC_KEY',
  'DATA_DIRECTORY',
  'JUPYTER_TOKEN',
  'JUPYTER_SERVER_ROOT',
  'JUPYTER_SERVER_URL',
  'OPEN_BUTTON_TOKEN',
] as const;

export function isVastInjected(name: string): boolean {
  return (VAST_INJECTED_ENV as readonly string[]).includes(name) || /^VAST_(TCP|UDP)_PORT_\d+$/.test(name);
}
