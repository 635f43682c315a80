import { AppError } from '../../../../shared/errors';

export interface ImageReference {
  /** `docker.io`, `ghcr.io`, `127.0.0.1:5000`… */
  registry: string;
  /** The name as the engine and the registry know it: `library/ubuntu`, `me/app`. */
  path: string;
  /** The local repository name without tag or digest, as `docker push` takes it. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

export const DOCKER_HUB = 'docker.io';
/** The key the docker CLI files Docker Hub credentials under. */
export const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';

/**
 * Splits an image reference the way the docker CLI does: the first component is a registry only
 * when it holds a "." or ":" or is "localhost"; otherwise it is Docker Hub (single names under library/).
 */
export function parseImageReference(reference: string): ImageReference {
  let rest = reference.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  if (!rest || /\s/.test(rest) || (tag !== null && !/^[\w][\w.-]{0,127}$/.test(tag))) {
    throw new AppError('VALIDATION', `"${reference}" is not an image reference like registry/name:tag.`);
  }
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : DOCKER_HUB;
  let path = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { registry, path, repository: rest, tag, digest };
}

/** The server address credentials are stored and sent under. */
export function credentialServer(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_SERVER : registry;
}

/** A config.json `auths` key reduced to its host, like the docker CLI's ConvertToHostname. */
export function hostOfServerKey(key: string): string {
  const host = key.replace(/^https?:\/\//, '').split('/')[0] ?? '';
  return ['index.docker.io', 'registry-1.docker.io', 'docker.io'].includes(host) ? DOCKER_HUB : host;
}

export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
