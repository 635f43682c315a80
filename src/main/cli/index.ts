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
import { runLint } from './commands/lint';
import { runPortal } from './commands/portal';
import { runNew } from './commands/new';

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

  program
    .command('lint')
    .description("Lint a template folder or repository, at least as strictly as Vast's own linter.")
    .argument('<path>', 'an image folder or a repository of them')
    .option('--json', 'print {"findings": [...]}')
    .option('--warn', 'also report warnings')
    .action((path: string, opts: { json?: boolean; warn?: boolean }) =>
      run((signal) => runLint({ path, ...opts }, processIo(signal))),
    );

  program
    .command('portal')
    .description('Parse PORTAL_CONFIG as the base image does and print the /etc/portal.yaml it would write.')
    .argument('<config>', "e.g. 'localhost:8000:18000:/:My App'")
    .action((config: string) => run((signal) => runPortal({ config }, processIo(signal))));

  program
    .command('new')
    .description(
      'Scaffold a template folder (derivative image, external image, or provisioning-only script).',
    )
    .requiredOption('--class <class>', 'derivative | external | provisioning')
    .requiredOption('--name <name>', 'the image name')
    .option('--port <port>', "the app's port", port)
    .option('--dir <dir>', 'where to create it (default: the current folder)')
    .action(
      (opts: {
        class: 'derivative' | 'external' | 'provisioning';
        name: string;
        port?: number;
        dir?: string;
      }) => run((signal) => runNew(opts, processIo(signal))),
    );

  return program;
}

await buildProgram().parseAsync(process.argv);
