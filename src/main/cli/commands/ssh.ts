// tstudio ssh TARGET [--accept-host-key SHA256:…] [-- CMD...]
//   TARGET: a local run's id, a Vast instance's id, or user@host[:port].
//   Without CMD: an interactive PTY shell (raw-mode stdin, resize on SIGWINCH); exits with the shell's code.
//   A dropped connection does not end it: the stream says so, and a fresh shell follows once it is back.
//   With CMD: as OpenSSH does, the words are joined with spaces and run by the remote shell, so
//   `tstudio ssh ID -- 'echo $HOME; ls'` means what it means with ssh; exits with its exit code.
import { homedir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../../shared/errors';
import { defaultDataDir } from '../../app';
import { resolveTargetRef, type SshTargetResolver } from '../../handlers/ssh';
import { SshService, type ShellExit, type ShellOutput, type SshTarget } from '../../services/ssh';
import type { CliIo } from '../io';

export interface SshCommandOptions {
  target: string;
  /** The remote command's argv; empty for an interactive shell. */
  command?: string[];
  /** Trust this host key fingerprint for the target first (after a mismatch the user checked). */
  acceptHostKey?: string;
}

/** The terminal the interactive mode runs in; the real process streams by default. */
export interface CliTerminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream & { rows?: number; columns?: number };
  /** Calls back on every terminal size change; returns a function that stops listening. */
  onResize: (listener: () => void) => () => void;
}

export interface SshCliDeps {
  /** The app's SSH service; one on the default data folder when absent. */
  ssh?: SshService;
  /** Resolves local run and Vast instance ids. */
  resolveTarget?: SshTargetResolver;
  terminal?: CliTerminal;
}

const processTerminal = (): CliTerminal => ({
  stdin: process.stdin,
  stdout: process.stdout,
  onResize: (listener) => {
    process.on('SIGWINCH', listener);
    return () => process.off('SIGWINCH', listener);
  },
});

/** OpenSSH's convention: 255 when ssh itself failed, so scripts can tell it from the command's codes. */
export const SSH_FAILED_EXIT = 255;

export async function runSsh(argv: SshCommandOptions, io: CliIo, deps: SshCliDeps = {}): Promise<number> {
  const ssh = deps.ssh ?? new SshService({ dataDir: defaultDataDir(process.env, homedir()) });
  try {
    const target = await prepareTarget(ssh, argv.target, argv.acceptHostKey, deps.resolveTarget);
    if (argv.command && argv.command.length > 0) return await runRemoteCommand(ssh, target, argv.command, io);
    return await runInteractive(ssh, target, io, deps.terminal ?? processTerminal());
  } catch (err) {
    const e = AppError.from(err);
    if (e.code === 'CANCELLED') return 130;
    io.stderr(`tstudio ssh: ${e.message}\n`);
    return SSH_FAILED_EXIT;
  } finally {
    if (!deps.ssh) await ssh.dispose();
  }
}

/** Resolves TARGET and applies --accept-host-key (shared with `tstudio tunnel`). */
export async function prepareTarget(
  ssh: SshService,
  ref: string,
  acceptHostKey: string | undefined,
  resolveTarget: SshTargetResolver | undefined,
): Promise<SshTarget> {
  const target = await resolveTargetRef(ref, resolveTarget);
  if (acceptHostKey) await ssh.acceptHostKey(target.host, target.port, acceptHostKey);
  return target;
}

async function runRemoteCommand(
  ssh: SshService,
  target: SshTarget,
  command: string[],
  io: CliIo,
): Promise<number> {
  const out = new StringDecoder('utf8');
  const err = new StringDecoder('utf8');
  // OpenSSH semantics: the user's words form one shell command line on the other side. The app's own
  // commands never come through here; they go through ssh.exec with a quoted argv.
  const result = await ssh.exec(target, ['sh', '-c', command.join(' ')], {
    signal: io.signal,
    // Streamed straight through; nothing is kept in memory.
    maxBuffer: 0,
    onStdout: (chunk) => io.stdout(out.write(chunk)),
    onStderr: (chunk) => io.stderr(err.write(chunk)),
  });
  io.stdout(out.end());
  io.stderr(err.end());
  if (result.exitCode !== null) return result.exitCode;
  return result.signal ? 128 + signalNumber(result.signal) : SSH_FAILED_EXIT;
}

async function runInteractive(
  ssh: SshService,
  target: SshTarget,
  io: CliIo,
  terminal: CliTerminal,
): Promise<number> {
  const { stdin, stdout } = terminal;
  const info = await ssh.terminals.open(
    target,
    { rows: stdout.rows || 24, cols: stdout.columns || 80, term: process.env.TERM || 'xterm-256color' },
    io.signal,
  );
  const session = ssh.terminals.get(info.id);
  const wasRaw = stdin.isTTY === true;
  if (wasRaw) stdin.setRawMode?.(true);

  const exit = await new Promise<ShellExit>((resolve) => {
    const onOutput = (id: string, output: ShellOutput): void => {
      if (id !== info.id) return;
      // Acknowledge once the local terminal took it, so a slow terminal slows the remote side down.
      const flushed = stdout.write(output.data);
      if (flushed) session.ack(output.bytes);
      else stdout.once('drain', () => session.ack(output.bytes));
    };
    const onExit = (id: string, e: ShellExit): void => {
      if (id !== info.id) return;
      cleanup();
      resolve(e);
    };
    const onInput = (chunk: Buffer | string): void => {
      if (session.state === 'open') session.write(chunk);
      // While the connection is re-established typing is refused: ring the bell rather than lose it quietly.
      else if (session.state === 'reconnecting') stdout.write('\x07');
    };
    const onAbort = (): void => ssh.terminals.close(info.id);
    const stopResize = terminal.onResize(() => session.resize(stdout.rows || 24, stdout.columns || 80));
    const cleanup = (): void => {
      ssh.terminals.off('output', onOutput);
      ssh.terminals.off('exit', onExit);
      stdin.off('data', onInput);
      stdin.pause();
      stopResize();
      io.signal?.removeEventListener('abort', onAbort);
    };
    ssh.terminals.on('output', onOutput);
    ssh.terminals.on('exit', onExit);
    stdin.on('data', onInput);
    stdin.resume();
    io.signal?.addEventListener('abort', onAbort, { once: true });
  });

  if (wasRaw) stdin.setRawMode?.(false);
  ssh.terminals.close(info.id);
  if (exit.reason === 'connection-lost') {
    io.stderr(`\r\ntstudio ssh: the connection to ${target.host}:${target.port} was lost.\n`);
    return SSH_FAILED_EXIT;
  }
  if (exit.exitCode !== null) return exit.exitCode;
  return exit.signal ? 128 + signalNumber(exit.signal) : 0;
}

function signalNumber(name: string): number {
  const numbers: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, TERM: 15 };
  return numbers[name.replace(/^SIG/, '')] ?? 127;
}
