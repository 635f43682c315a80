import { AppError } from '../../../../shared/errors';
import type { RegistryAuth } from './credentials';
import { DOCKER_HUB } from './image-reference';

export interface VerifyOptions {
  /** The whole check, every request included (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Plain HTTP is allowed after HTTPS fails (loopback and the daemon's insecure registries). */
  allowHttp?: boolean;
  /** Where the credentials came from, for the message when they are wrong. */
  origin?: string;
  fetch?: typeof fetch;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Checks credentials against a registry's /v2/ endpoint before a push, so a wrong password is a
 * REGISTRY_AUTH error in seconds instead of the engine's retries. Follows the distribution spec:
 * 401 with `WWW-Authenticate: Bearer realm=…,service=…` means asking the realm for a token with
 * basic auth (or an identity token as a refresh token); `Basic` means /v2/ itself checks them.
 */
export async function verifyRegistryCredentials(
  registry: string,
  auth: RegistryAuth | null,
  options: VerifyOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);
  const doFetch = options.fetch ?? fetch;
  const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
    try {
      return await doFetch(url, { ...init, signal, redirect: 'follow' });
    } catch (err) {
      if (options.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled.');
      if (signal.aborted) {
        throw new AppError(
          'TIMEOUT',
          `The registry ${registry} did not answer within ${Math.round(timeoutMs / 1000)} s. Check the address and your network.`,
        );
      }
      throw err;
    }
  };
  const wrong = (why: string) =>
    new AppError(
      'REGISTRY_AUTH',
      `${registry} refused the credentials${auth && 'username' in auth ? ` of "${auth.username}"` : ''}: ${why}.${options.origin ? ` They come from ${options.origin}.` : ''}`,
      { registry },
    );

  const base = await reachableBase(registry, request, options.allowHttp ?? false);
  const first = await request(`${base}/v2/`);
  await first.body?.cancel();
  if (first.ok) return;
  if (first.status !== 401) {
    throw new AppError(
      'DOCKER_ERROR',
      `${registry} answered ${first.status} on /v2/: it may not be a registry.`,
    );
  }
  const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
  if (!auth) {
    throw new AppError(
      'REGISTRY_AUTH',
      `${registry} needs a login and no credentials were found. Run \`docker login ${registry}\` or enter them in the app.`,
      { registry },
    );
  }
  if (challenge?.scheme === 'bearer' && challenge.params.realm) {
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    let res: Response;
    if ('identityToken' in auth) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: auth.identityToken,
        service: challenge.params.service ?? '',
        client_id: 'template-studio',
      });
      res = await request(url.toString(), { method: 'POST', body: form });
    } else {
      url.searchParams.set('account', auth.username);
      res = await request(url.toString(), { headers: { authorization: basic(auth) } });
    }
    await res.body?.cancel();
    if (res.ok) return;
    if (res.status === 401 || res.status === 403) throw wrong('wrong user name or password');
    throw new AppError('DOCKER_ERROR', `The token service of ${registry} answered ${res.status}.`);
  }
  if ('identityToken' in auth) throw wrong('an identity token works only with token authentication');
  const res = await request(`${base}/v2/`, { headers: { authorization: basic(auth) } });
  await res.body?.cancel();
  if (res.ok) return;
  if (res.status === 401 || res.status === 403) throw wrong('wrong user name or password');
  throw new AppError('DOCKER_ERROR', `${registry} answered ${res.status} on /v2/ with credentials.`);
}

/** HTTPS first, like the engine; plain HTTP only where the engine would also fall back to it. */
async function reachableBase(
  registry: string,
  request: (url: string) => Promise<Response>,
  allowHttp: boolean,
): Promise<string> {
  const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  try {
    const res = await request(`https://${host}/v2/`);
    await res.body?.cancel();
    return `https://${host}`;
  } catch (err) {
    if (err instanceof AppError || !allowHttp) {
      if (err instanceof AppError) throw err;
      throw new AppError('DOCKER_ERROR', `Cannot reach ${registry} over HTTPS: ${causeOf(err)}.`);
    }
    return `http://${host}`;
  }
}

function basic(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { message?: string; code?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"` into its parts. */
export function parseChallenge(header: string): Challenge | null {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return null;
  const params: Record<string, string> = {};
  for (const m of (match[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    params[(m[1] ?? '').toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}
