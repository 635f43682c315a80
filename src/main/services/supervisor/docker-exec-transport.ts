import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { ExecOptions, ExecResult, ExecStreamOptions, ExecTransport } from './exec-transport';

/** Output beyond this is dropped from a collected exec (a runaway command must not fill main's memory). */
const MAX_COLLECTED_BYTES = 8 * 1024 * 1024;

/** ExecTransport over `docker exec` (argv, no TTY; stdout and stderr demultiplexed by the modem). */
export class DockerExecTransport implements ExecTransport {
  constructor(
    private readonly docker: Docker,
    private readonly containerId: string,
  ) {}

  async exec(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    let stdout = '';
    let stderr = '';
    const { exitCode } = await this.stream(argv, {
      ...opts,
      onStdout: (s) => {
        if (stdout.length < MAX_COLLECTED_BYTES) stdout += s;
      },
      onStderr: (s) => {
        if (stderr.length < MAX_COLLECTED_BYTES) stderr += s;
      },
    });
    return { stdout, stderr, exitCode };
  }

  async stream(argv: string[], opts: ExecStreamOptions): Promise<{ exitCode: number }> {
    if (argv.length === 0) throw new AppError('INTERNAL', 'An exec needs a command.');
    opts.signal?.throwIfAborted();
    const container = this.docker.getContainer(this.containerId);
    let exec: Docker.Exec;
    try {
      exec = await container.exec({
        Cmd: argv,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: false,
        Tty: false,
        ...(opts.user ? { User: opts.user } : {}),
        ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
      });
    } catch (err) {
      throw execError(err, this.containerId);
    }
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const errOut = new PassThrough();
    out.setEncoding('utf8');
    errOut.setEncoding('utf8');
    out.on('data', (s: string) => opts.onStdout(s));
    errOut.on('data', (s: string) => opts.onStderr?.(s));
    this.docker.modem.demuxStream(stream, out, errOut);

    let timer: NodeJS.Timeout | null = null;
    let aborted = false;
    let timedOut = false;
    const stop = () => {
      // docker exec has no kill: closing the hijacked connection is all we can do; a command that
      // keeps writing then dies of SIGPIPE.
      stream.destroy();
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutMs);
    }
    try {
      await new Promise<void>((resolve, reject) => {
        stream.once('end', () => resolve());
        stream.once('close', () => resolve());
        stream.once('error', (e: Error) => (aborted || timedOut ? resolve() : reject(e)));
      });
    } finally {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    // Let the demuxed PassThroughs deliver what they hold before the caller reads the result.
    await new Promise((resolve) => setImmediate(resolve));
    if (timedOut)
      throw new AppError(
        'TIMEOUT',
        `The command ${argv[0]} in container ${this.containerId.slice(0, 12)} took longer than ${opts.timeoutMs} ms.`,
      );
    if (aborted) return { exitCode: -1 };
    return { exitCode: await exitCodeOf(exec) };
  }
}

/** The engine can report Running for a moment after the stream ended; ask until it settles. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? -1;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return -1;
}

function execError(err: unknown, containerId: string): AppError {
  const status = (err as { statusCode?: number }).statusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 404)
    return new AppError(
      'NOT_FOUND',
      `Container ${containerId.slice(0, 12)} no longer exists. Refresh the list of runs.`,
    );
  if (status === 409)
    return new AppError('CONFLICT', `Container ${containerId.slice(0, 12)} is not running: start it first.`);
  return new AppError('DOCKER_ERROR', `docker exec failed in ${containerId.slice(0, 12)}: ${message}`);
}
