import { quote } from 'shell-quote';
import type { Client } from 'ssh2';
import { AppError } from '../../../shared/errors';

export interface ExecOptions {
  signal?: AbortSignal;
  /** Bytes sent to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  /** Output kept per stream; the rest is dropped and `truncated` is set (a runaway command must not fill main's memory). */
  maxBuffer?: number;
  /** Raw output as it arrives, for callers that stream it on. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The exit code, or null when the command died of a signal. */
  exitCode: number | null;
  signal: string | null;
  truncated: boolean;
}

/**
 * Quotes an argv for the remote shell. sshd hands the command line to the login shell, so every
 * argument is quoted with shell-quote; never concatenate data into a command string.
 */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) throw new AppError('VALIDATION', 'A remote command needs at least one argument.');
  return quote([...argv]);
}

/** Runs argv on the other side over an exec channel and collects its output and exit code. */
export function execArgv(
  client: Client,
  argv: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  const command = quoteArgv(argv);
  const maxBuffer = options.maxBuffer ?? 16 * 1024 * 1024;
  return new Promise<ExecResult>((resolve, reject) => {
    if (options.signal?.aborted) return reject(new AppError('CANCELLED', 'Cancelled.'));
    client.exec(command, (err, stream) => {
      if (err)
        return reject(new AppError('SSH_CONNECT', `Could not start "${command}" over SSH: ${err.message}`));
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let truncated = false;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      const onAbort = (): void => {
        // OpenSSH's sshd honours signal requests; close() covers servers that do not.
        stream.signal('KILL');
        stream.close();
        reject(new AppError('CANCELLED', 'Cancelled.'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (chunk: Buffer) => {
        options.onStdout?.(chunk);
        if (outBytes + chunk.length > maxBuffer) truncated = true;
        else out.push(chunk);
        outBytes += chunk.length;
      });
      stream.stderr.on('data', (chunk: Buffer) => {
        options.onStderr?.(chunk);
        if (errBytes + chunk.length > maxBuffer) truncated = true;
        else errOut.push(chunk);
        errBytes += chunk.length;
      });
      stream.on('exit', (code: number | null, signal?: string) => {
        exitCode = typeof code === 'number' ? code : null;
        exitSignal = signal ?? null;
      });
      stream.on('close', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve({
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
          exitCode,
          signal: exitSignal,
          truncated,
        });
      });
      if (options.stdin !== undefined) stream.end(options.stdin);
      else stream.end();
    });
  });
}
