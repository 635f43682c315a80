import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { PtyChannel, PtySink } from './pty-session';

export interface DockerExecPtyOptions {
  /** The terminal's id: names the pid file through which close() reaches the shell. */
  terminalId: string;
  rows: number;
  cols: number;
  term: string;
}

/**
 * The shell `docker exec -it` would start: bash as a login shell where the image has it, else sh.
 * It writes its pid first because closing the attach socket does not end a TTY exec (the engine
 * keeps the process; moby#9098), so close() must signal it from inside the container. The terminal
 * id arrives as $1, never spliced into the script.
 */
const SHELL_SCRIPT = [
  'echo $$ > "/tmp/.tstudio-terminal-$1.pid" 2>/dev/null',
  'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec sh -l; fi',
].join('\n');

/** Hangs up the terminal's shell (bash passes the SIGHUP on to its jobs) and removes its pid file. */
const HANGUP_SCRIPT = [
  'f="/tmp/.tstudio-terminal-$1.pid"',
  '[ -r "$f" ] && kill -HUP "$(cat "$f")" 2>/dev/null',
  'rm -f "$f"',
  'true',
].join('\n');

/**
 * Starts a shell with a TTY in a container over the Docker API (what `docker exec -it` does) and
 * returns it as a PTY channel. With a TTY the engine sends raw bytes (no stdout/stderr framing);
 * the hijacked socket is plain TCP, so pausing it stops the engine's copy and the program blocks.
 */
export async function openDockerExecPty(
  container: Docker.Container,
  options: DockerExecPtyOptions,
): Promise<(sink: PtySink) => PtyChannel> {
  let exec: Docker.Exec;
  let socket: Duplex;
  try {
    exec = await container.exec({
      Cmd: ['sh', '-c', SHELL_SCRIPT, 'sh', options.terminalId],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      Env: [`TERM=${options.term}`],
    });
    socket = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  } catch (err) {
    throw execError(err);
  }
  // API 1.41 has no size on exec start; the first resize follows at once (before the prompt, mostly).
  await exec.resize({ h: options.rows, w: options.cols }).catch(() => undefined);

  return (sink) => {
    // A resize is an HTTP call of its own, not a message on the stream: keystrokes sent after it
    // wait for it, or `stty size` typed right after a resize could still see the old size.
    let queue: Promise<void> | null = null;
    const enqueue = (step: () => unknown): void => {
      const next = (queue ?? Promise.resolve()).then(step).then(
        () => undefined,
        () => undefined,
      );
      queue = next;
      void next.then(() => {
        if (queue === next) queue = null;
      });
    };
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      exec.inspect().then(
        (info) =>
          sink.end({ exitCode: typeof info.ExitCode === 'number' ? info.ExitCode : null, signal: null }),
        () => sink.end({ exitCode: null, signal: null }),
      );
    };
    socket.on('data', (chunk: Buffer) => sink.data(chunk));
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', () => undefined);
    return {
      write: (data) => {
        if (queue) enqueue(() => socket.write(data));
        else socket.write(data);
      },
      pause: () => {
        socket.pause();
      },
      resume: () => {
        socket.resume();
      },
      resize: (rows, cols) => {
        enqueue(() => exec.resize({ h: rows, w: cols }));
      },
      close: () => {
        // The engine closes the socket once the shell is gone; end() reads its exit code then.
        void hangUp(container, options.terminalId).then(
          () => undefined,
          () => socket.destroy(),
        );
      },
      abandon: () => {
        socket.destroy();
        void hangUp(container, options.terminalId).catch(() => undefined);
      },
    };
  };
}

async function hangUp(container: Docker.Container, terminalId: string): Promise<void> {
  const exec = await container.exec({
    Cmd: ['sh', '-c', HANGUP_SCRIPT, 'sh', terminalId],
    AttachStdout: false,
    AttachStderr: false,
  });
  const response: unknown = await exec.start({ Detach: true });
  // The engine keeps a detached start's socket open for minutes; nothing more comes on it.
  if (response && typeof (response as { destroy?: unknown }).destroy === 'function')
    (response as { destroy: () => void }).destroy();
}

function execError(err: unknown): AppError {
  const e = err as { statusCode?: number; message?: string };
  if (e.statusCode === 404)
    return new AppError('NOT_FOUND', 'The container is gone; start the run again and open a new terminal.');
  if (e.statusCode === 409)
    return new AppError('CONFLICT', 'The container is not running; start it, then open the terminal again.');
  return new AppError(
    'DOCKER_ERROR',
    `docker exec failed: ${e.message ?? String(err)}. Check that the Docker engine is running.`,
  );
}
