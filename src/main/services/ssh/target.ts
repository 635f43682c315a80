import { AppError } from '../../../shared/errors';

/** Where an SSH connection goes. Runs and Vast instances are resolved to one of these by the app. */
export interface SshTarget {
  host: string;
  port: number;
  user: string;
}

/** The pool's key: one connection per host, port and user. */
export function targetKey(target: SshTarget): string {
  return `${target.user}@${target.host}:${target.port}`;
}

export function describeTarget(target: SshTarget): string {
  return target.port === 22
    ? `${target.user}@${target.host}`
    : `${target.user}@${target.host}:${target.port}`;
}

/**
 * Parses `user@host:port`, `user@host`, `host:port` or `host` (user defaults to root, Vast's login;
 * port to 22). Bracketed IPv6 (`root@[::1]:2222`) is accepted. Returns null when the text is not an
 * address at all, so a caller can try it as a run or instance id instead.
 */
export function parseTargetAddress(
  text: string,
  defaults: { user?: string; port?: number } = {},
): SshTarget | null {
  // Neither the user nor the host may start with '-': ssh would read them as options.
  const match =
    /^(?:([A-Za-z0-9._][A-Za-z0-9._-]*)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.][A-Za-z0-9.-]*)(?::(\d{1,5}))?$/.exec(
      text.trim(),
    );
  if (!match) return null;
  const [, user, rawHost, rawPort] = match;
  if (!rawHost) return null;
  // A bare word with neither user nor port nor a dot is more likely an id than a host name.
  if (!user && !rawPort && !rawHost.includes('.') && !rawHost.startsWith('[') && rawHost !== 'localhost')
    return null;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const port = rawPort ? Number(rawPort) : (defaults.port ?? 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AppError('VALIDATION', `Port ${rawPort} in "${text}" is not a TCP port (1-65535).`);
  }
  return { host, port, user: user ?? defaults.user ?? 'root' };
}
