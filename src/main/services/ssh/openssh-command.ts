import { AppError } from '../../../shared/errors';
import { quote } from 'shell-quote';
import type { SshTarget } from './target';

export interface OpenSshForward {
  localPort: number;
  remotePort: number;
  remoteHost?: string;
}

export interface OpenSshCommandOptions {
  /** The app's private key file, passed with -i. */
  identityFile?: string;
  /** Keep a shell open as well (otherwise a command with forwards gets -N: forward only). */
  shell?: boolean;
  /** A command to run instead of a login shell. */
  command?: string[];
}

/**
 * The stock OpenSSH command that does what the app does, for "Copy SSH command": same key, same
 * port, same -L forwards bound to 127.0.0.1. Every part is quoted, so paths with spaces survive.
 */
export function openSshCommand(
  target: SshTarget,
  forwards: OpenSshForward[] = [],
  options: OpenSshCommandOptions = {},
): string {
  // A user or host that starts with '-' would be read by ssh as an option (-oProxyCommand=…).
  if (target.user.startsWith('-') || target.host.startsWith('-')) {
    throw new AppError(
      'VALIDATION',
      `"${target.user}@${target.host}" is not a user and host name: neither may start with "-".`,
    );
  }
  const argv = ['ssh'];
  if (options.identityFile) argv.push('-i', options.identityFile);
  if (target.port !== 22) argv.push('-p', String(target.port));
  for (const f of forwards)
    argv.push('-L', `127.0.0.1:${f.localPort}:${f.remoteHost ?? '127.0.0.1'}:${f.remotePort}`);
  const runsCommand = options.command !== undefined && options.command.length > 0;
  if (forwards.length > 0 && !options.shell && !runsCommand) argv.push('-N');
  // The port travels in -p, so an IPv6 address needs no brackets here.
  argv.push(`${target.user}@${target.host}`);
  // ssh joins its trailing arguments with spaces for the remote shell, so the command is quoted
  // once for that shell and, as one argument, once more for the local one.
  if (runsCommand) argv.push(quote(options.command ?? []));
  return argv.map(readableQuote).join(' ');
}

/**
 * POSIX quoting that a person can still read: shell-quote escapes every ':' and '@', which turns
 * `-L 127.0.0.1:8080:127.0.0.1:8080` into noise in a line meant to be copied and looked at.
 * Words made only of safe characters stay bare; anything else is single-quoted.
 */
function readableQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
