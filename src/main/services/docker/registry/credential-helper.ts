import { execFile } from 'node:child_process';
import { AppError } from '../../../../shared/errors';
import type { RegistryAuth } from './credentials';

export interface HelperOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/**
 * Asks `docker-credential-<helper> get` for a server's credentials, as the docker CLI does: the
 * server URL on stdin, `{ServerURL, Username, Secret}` on stdout. A Username of `<token>` means
 * the Secret is an identity token. Null when the helper has nothing for that server.
 */
export function getFromCredentialHelper(
  helper: string,
  serverUrl: string,
  options: HelperOptions = {},
): Promise<RegistryAuth | null> {
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    return Promise.reject(new AppError('REGISTRY_AUTH', `"${helper}" is not a credential helper name.`));
  }
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = execFile(
      program,
      ['get'],
      { timeout: options.timeoutMs ?? 10_000, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv },
      (err, stdout, stderr) => {
        if (err) {
          const said = `${stdout}${stderr}`.trim();
          if (/credentials not found/i.test(said)) return resolve(null);
          const why =
            (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is not installed' : said || err.message;
          return reject(
            new AppError(
              'REGISTRY_AUTH',
              `The credential helper ${program} failed for ${serverUrl}: ${why}. Fix the helper, or remove it from ~/.docker/config.json and log in again.`,
            ),
          );
        }
        try {
          const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (!answer.Secret) return resolve(null);
          if (answer.Username === '<token>') return resolve({ identityToken: answer.Secret });
          resolve({ username: answer.Username ?? '', password: answer.Secret });
        } catch {
          reject(
            new AppError('REGISTRY_AUTH', `The credential helper ${program} answered something unreadable.`),
          );
        }
      },
    );
    child.stdin?.end(serverUrl);
  });
}
