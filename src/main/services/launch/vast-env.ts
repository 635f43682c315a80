import { randomBytes, randomInt } from 'node:crypto';
import type { RunMode } from './run-mode';

export interface VastEnvInput {
  mode: RunMode;
  /** The numeric instance id (CONTAINER_ID); VAST_CONTAINERLABEL is C.<id>. */
  instanceId: number;
  containerApiKey: string;
  gpuCount: number;
  sshPublicKey: string;
  jupyterToken: string;
  openButtonToken: string;
  /** VAST_TCP_PORT_<n> / VAST_UDP_PORT_<n>. */
  portEnv: Record<string, string>;
  /** The template's env (after ports were folded out of it). */
  templateEnv: Record<string, string>;
  /** Extra variables from the user (like account-level env on Vast): applied last. */
  userEnv?: Record<string, string>;
}

/** The identity and secrets Vast gives each new instance: a fresh set per run. */
export type RunIdentity = Pick<
  VastEnvInput,
  'instanceId' | 'containerApiKey' | 'jupyterToken' | 'openButtonToken'
>;

export function freshRunIdentity(): RunIdentity {
  return {
    instanceId: randomInt(1_000_000, 99_999_999),
    containerApiKey: randomBytes(32).toString('hex'),
    jupyterToken: randomBytes(32).toString('hex'),
    openButtonToken: randomBytes(32).toString('hex'),
  };
}

export interface VastEnvResult {
  env: Record<string, string>;
  warnings: string[];
}

/**
 * The environment Vast gives a container: the template's env, then what the platform injects (which
 * wins, as OPEN_BUTTON_TOKEN does over a template's "1"), then the user's own variables.
 */
export function buildVastEnv(input: VastEnvInput): VastEnvResult {
  const warnings: string[] = [];
  const env: Record<string, string> = { ...input.templateEnv };
  if (env.PORTAL_CONFIG !== undefined && input.mode !== 'jupyter') {
    const stripped = stripJupyterFromPortalConfig(env.PORTAL_CONFIG);
    if (stripped !== env.PORTAL_CONFIG) {
      warnings.push(
        `Jupyter entries were removed from PORTAL_CONFIG, as Vast does for the ${input.mode} runtype.`,
      );
    }
    if (stripped === '' && env.PORTAL_CONFIG !== '') {
      warnings.push(
        'PORTAL_CONFIG holds only Jupyter entries; Vast refuses such a template outside jupyter mode.',
      );
    }
    env.PORTAL_CONFIG = stripped;
  }
  const dataDirectory = env.DATA_DIRECTORY ?? '/workspace/';
  Object.assign(env, {
    CONTAINER_ID: String(input.instanceId),
    VAST_CONTAINERLABEL: `C.${input.instanceId}`,
    CONTAINER_API_KEY: input.containerApiKey,
    GPU_COUNT: String(input.gpuCount),
    PUBLIC_IPADDR: '127.0.0.1',
    SSH_PUBLIC_KEY: input.sshPublicKey,
    DATA_DIRECTORY: dataDirectory,
    JUPYTER_TOKEN: input.jupyterToken,
    JUPYTER_SERVER_ROOT: env.JUPYTER_DIR ?? '/',
    JUPYTER_SERVER_URL: 'http://0.0.0.0:8080/',
    OPEN_BUTTON_TOKEN: input.openButtonToken,
    ...input.portEnv,
  });
  Object.assign(env, input.userEnv ?? {});
  return { env, warnings };
}

/** As vast-cli's validate_portal_config: outside jupyter runtypes, every entry mentioning jupyter goes. */
export function stripJupyterFromPortalConfig(portalConfig: string): string {
  return portalConfig
    .split('|')
    .filter((entry) => !entry.toLowerCase().includes('jupyter'))
    .join('|');
}

/** Docker's `Env` list. */
export function envList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
