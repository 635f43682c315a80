/**
 * `tstudio`: the same operations as the app, for scripts and template repositories' CI.
 * Commands live in ./commands, one file each, as functions of (options, io) -> exit code.
 */
import { Command, InvalidArgumentError } from 'commander';
import { APP_VERSION } from '../version';
import { AppError } from '../../shared/errors';
import { processIo } from './io';
import { runDoctor } from './commands/doctor';
import { runServe } from './commands/serve';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return n;
}

/** Runs a command with Ctrl-C wired to an AbortSignal; exit code 130 after a cancel, as shells expect. */
async function run(fn: (signal: AbortSignal) => Promise<number>): Promise<void> {
  const controller = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const code = await fn(controller.signal);
    process.exitCode = interrupted && code !== 0 ? 130 : code;
  } catch (err) {
    const e = AppError.from(err);
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = interrupted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('tstudio')
    .description('Template Studio: build, run and launch Vast.ai templates.')
    .version(APP_VERSION, '-V, --version');

  program
    .command('doctor')
    .description('Check the Docker engine and everything else the app needs, and say what to fix.')
    .option('--json', 'print one JSON object')
    .action((opts: { json?: boolean }) => run((signal) => runDoctor(opts, processIo(signal))));

  program
    .command('serve')
    .description('Serve the app to a browser on this machine (127.0.0.1, behind a token).')
    .option('--port <port>', 'port to listen on (default: a free port)', port)
    .option('--host <address>', 'address to bind (default 127.0.0.1; anything else is exposed to others)')
    .action((opts: { port?: number; host?: string }) => run((signal) => runServe(opts, processIo(signal))));

  return program;
}

await buildProgram().parseAsync(process.argv);
