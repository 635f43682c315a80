import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { DockerEndpointData } from '../../../shared/types';

/** What endpoint resolution looks at; injectable so tests can use temporary home folders. */
export interface EndpointEnvironment {
  env: Record<string, string | undefined>;
  home: string;
  platform: NodeJS.Platform;
  /** Defaults to fs.existsSync; tests may fake the filesystem's sockets. */
  exists?: (path: string) => boolean;
}

/**
 * Resolve the Docker endpoint the way the docker CLI does: DOCKER_HOST, then DOCKER_CONTEXT or the
 * current context of ~/.docker/config.json (its endpoint read from ~/.docker/contexts/meta), then the
 * platform defaults. A user who runs `docker` and this app side by side gets the same engine.
 */
export function resolveDockerEndpoint(environment: EndpointEnvironment): DockerEndpointData {
  const { env, home, platform } = environment;
  const exists = environment.exists ?? existsSync;
  const configDir =
    env.DOCKER_CONFIG && env.DOCKER_CONFIG.length > 0 ? env.DOCKER_CONFIG : join(home, '.docker');

  const dockerHost = env.DOCKER_HOST?.trim();
  if (dockerHost) {
    return {
      url: dockerHost,
      source: 'DOCKER_HOST',
      context: null,
      reason: 'DOCKER_HOST is set in the environment.',
    };
  }

  const contextName = env.DOCKER_CONTEXT?.trim() || readCurrentContext(configDir);
  if (contextName && contextName !== 'default') {
    const host = readContextHost(configDir, contextName);
    if (host) {
      const origin = env.DOCKER_CONTEXT?.trim() ? 'DOCKER_CONTEXT selects' : 'the current docker context is';
      return {
        url: host,
        source: 'context',
        context: contextName,
        reason: `${origin} "${contextName}" (${join(configDir, 'contexts', 'meta')}).`,
      };
    }
  }

  if (platform === 'win32') {
    return {
      url: 'npipe:////./pipe/docker_engine',
      source: 'default',
      context: null,
      reason: 'The Windows default named pipe.',
    };
  }
  // Docker Desktop puts its socket in the user's home; the system socket is the Linux default.
  const desktopSocket = join(home, '.docker', 'run', 'docker.sock');
  if (exists(desktopSocket)) {
    return {
      url: `unix://${desktopSocket}`,
      source: 'default',
      context: null,
      reason: "Docker Desktop's socket in your home folder.",
    };
  }
  return {
    url: 'unix:///var/run/docker.sock',
    source: 'default',
    context: null,
    reason: 'The system default socket.',
  };
}

function readCurrentContext(configDir: string): string | null {
  try {
    const config = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as {
      currentContext?: unknown;
    };
    return typeof config.currentContext === 'string' && config.currentContext.length > 0
      ? config.currentContext
      : null;
  } catch {
    return null;
  }
}

/** Contexts live in contexts/meta/<sha256(name)>/meta.json with Endpoints.docker.Host. */
function readContextHost(configDir: string, name: string): string | null {
  const metaDir = join(configDir, 'contexts', 'meta');
  const candidates = [createHash('sha256').update(name).digest('hex')];
  // Fall back to scanning, in case a tool wrote the folder under another name.
  try {
    for (const entry of readdirSync(metaDir)) if (!candidates.includes(entry)) candidates.push(entry);
  } catch {
    return null;
  }
  for (const dir of candidates) {
    try {
      const meta = JSON.parse(readFileSync(join(metaDir, dir, 'meta.json'), 'utf8')) as {
        Name?: unknown;
        Endpoints?: { docker?: { Host?: unknown } };
      };
      const host = meta.Endpoints?.docker?.Host;
      if (meta.Name === name && typeof host === 'string' && host.length > 0) return host;
    } catch {
      // Not a context folder we can read: keep looking.
    }
  }
  return null;
}

/** dockerode's connection options for an endpoint URL. */
export function dockerodeOptions(
  url: string,
): { socketPath: string } | { host: string; port: number; protocol: 'http' | 'https' } {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length) };
  if (url.startsWith('npipe://')) return { socketPath: url.slice('npipe://'.length).replace(/\//g, '\\') };
  const parsed = new URL(url.replace(/^tcp:/, 'http:'));
  const tls = url.startsWith('https:') || parsed.port === '2376';
  return {
    host: parsed.hostname,
    port: Number(parsed.port || (tls ? 2376 : 2375)),
    protocol: tls ? 'https' : 'http',
  };
}
