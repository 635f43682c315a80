import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const CLI = join(REPO_ROOT, 'out', 'main', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `tstudio` with arguments and waits for it to exit. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      cwd: REPO_ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`tstudio ${args.join(' ')} did not finish in time.\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ServeHandle {
  url: string;
  origin: string;
  token: string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `tstudio serve` and resolves with the URL it prints as its first line. */
export function startServe(env: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<ServeHandle> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', ...args], {
      env: { ...process.env, ...env },
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tstudio serve printed no URL.\nstderr: ${stderr}`));
    }, 30_000);
    child.once('exit', (code) =>
      reject(new Error(`tstudio serve exited early (${code}).\nstderr: ${stderr}`)),
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      const url = new URL(line.trim());
      resolve({
        url: line.trim(),
        origin: url.origin,
        token: url.searchParams.get('token') ?? '',
        child,
        stderr: () => stderr,
        stop: () =>
          new Promise<void>((done) => {
            // A child killed by a signal has exitCode null and signalCode set: it is gone all the same.
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
