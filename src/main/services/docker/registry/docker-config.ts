import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { getFromCredentialHelper } from './credential-helper';
import type { RegistryAuth, ResolvedCredentials } from './credentials';
import { credentialServer, hostOfServerKey } from './image-reference';

export interface DockerConfigOptions {
  env?: Record<string, string | undefined>;
  home?: string;
  /** The folder holding config.json; DOCKER_CONFIG or ~/.docker otherwise. */
  configDir?: string;
  helperTimeoutMs?: number;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export function dockerConfigDir(options: DockerConfigOptions = {}): string {
  const env = options.env ?? process.env;
  return options.configDir ?? (env.DOCKER_CONFIG || join(options.home ?? homedir(), '.docker'));
}

/**
 * A registry's credentials the way the docker CLI finds them: a credHelpers entry for that
 * registry, else the credsStore helper, else the `auths` entry (base64 `auth` = "user:password",
 * or an identity token). Null when config.json knows nothing for it.
 */
export async function credentialsFromDockerConfig(
  registry: string,
  options: DockerConfigOptions = {},
): Promise<ResolvedCredentials | null> {
  const dir = dockerConfigDir(options);
  const file = join(dir, 'config.json');
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as DockerConfigFile;
  } catch {
    return null;
  }
  const server = credentialServer(registry);
  const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[server] ?? config.credsStore;
  if (helper) {
    const auth = await getFromCredentialHelper(helper, server, {
      env: options.env,
      timeoutMs: options.helperTimeoutMs,
    });
    if (auth) {
      return {
        auth,
        source: 'credential-helper',
        origin: `docker-credential-${helper} (from ${file}); run \`docker login ${registry}\` to replace them`,
      };
    }
  }
  const entry = findAuthEntry(config.auths ?? {}, registry);
  const auth = entry ? authFromEntry(entry) : null;
  if (!auth) return null;
  return {
    auth,
    source: 'docker-config',
    origin: `${file}; run \`docker login ${registry}\` to replace them`,
  };
}

function findAuthEntry(auths: Record<string, AuthEntry>, registry: string): AuthEntry | undefined {
  const exact = auths[credentialServer(registry)] ?? auths[registry];
  if (exact) return exact;
  for (const [key, entry] of Object.entries(auths)) if (hostOfServerKey(key) === registry) return entry;
  return undefined;
}

function authFromEntry(entry: AuthEntry): RegistryAuth | null {
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return null;
}
