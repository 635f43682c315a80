import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../../shared/errors';
import type { SshService, SshTarget } from '../ssh/index';
import type { ExecOptions, ExecResult, ExecStreamOptions, ExecTransport } from './exec-transport';

/** Output beyond this is dropped from a collected exec, as DockerExecTransport does. */
const MAX_COLLECTED_BYTES = 8 * 1024 * 1024;

/** What this transport needs of the SSH service: exec on the shared connection pool. */
export type SshExecRunner = Pick<SshService, 'exec'>;

/**
 * ExecTransport over an SSH exec channel of the app's shared connection to a Vast instance (or any
 * sshd). The argv is quoted by the SSH service (shell-quote), never joined by hand. `env` and `user`
 * become an `env K=V …` / `runuser -u U --` prefix, because sshd gives no other way to set them per
 * command (AcceptEnv is off on Vast's images).
 */
export class SshExecTransport implements ExecTransport {
  constructor(
    private readonly ssh: SshExecRunner,
    private readonly target: SshTarget,
  ) {}

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.run(argv, opts, { maxBuffer: MAX_COLLECTED_BYTES });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  }

  async stream(argv: string[], opts: ExecStreamOptions): Promise<{ exitCode: number }> {
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    try {
      const r = await this.run(argv, opts, {
        // Nothing is collected: the caller gets every chunk as it comes.
        maxBuffer: 0,
        onStdout: (b) => emit(out.write(b), opts.onStdout),
        onStderr: (b) => emit(err.write(b), opts.onStderr),
      });
      emit(out.end(), opts.onStdout);
      emit(err.end(), opts.onStderr);
      return { exitCode: r.exitCode };
    } catch (e) {
      // Cancelled by the caller (whatever layer noticed first): a follow that was stopped, not a failure.
      if (opts.signal?.aborted) return { exitCode: -1 };
      throw e;
    }
  }

  private async run(
    argv: string[],
    opts: ExecOptions,
    extra: { maxBuffer: number; onStdout?: (b: Buffer) => void; onStderr?: (b: Buffer) => void },
  ): Promise<ExecResult> {
    if (argv.length === 0) throw new AppError('INTERNAL', 'An exec needs a command.');
    opts.signal?.throwIfAborted();
    const timeout = opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : null;
    const signals = [opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined && s !== null);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      const r = await untilAborted(
        this.ssh.exec(this.target, withEnvAndUser(argv, opts, this.target.user), { signal, ...extra }),
        signal,
      );
      // A command killed by a signal has no exit code; -1 says "did not exit normally", as docker's does.
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? -1 };
    } catch (e) {
      if (timeout?.aborted && !opts.signal?.aborted)
        throw new AppError(
          'TIMEOUT',
          `The command ${argv[0]} on ${this.target.user}@${this.target.host}:${this.target.port} took longer than ${opts.timeoutMs} ms.`,
        );
      throw e;
    }
  }
}

/*
 * The SSH service's exec notices the signal only once its channel is open; on a box that froze with
 * the connection up, opening the channel itself hangs until keepalive gives up (tens of seconds).
 * A deadline must hold regardless: stop waiting at the signal, and let the exec settle on its own.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AppError('CANCELLED', 'Cancelled.'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function emit(text: string, to: ((s: string) => void) | undefined): void {
  if (text) to?.(text);
}

/** `env K=V … runuser -u U -- argv`, only the parts that are asked for. */
export function withEnvAndUser(argv: string[], opts: ExecOptions, loginUser: string): string[] {
  let out = argv;
  if (opts.user && opts.user !== loginUser) out = ['runuser', '-u', opts.user, '--', ...out];
  if (opts.env && Object.keys(opts.env).length > 0) {
    for (const name of Object.keys(opts.env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        throw new AppError('VALIDATION', `"${name}" is not an environment variable name.`);
    }
    out = ['env', ...Object.entries(opts.env).map(([k, v]) => `${k}=${v}`), ...out];
  }
  return out;
}
