/**
 * `tstudio`: the same operations as the app, for scripts and template repositories' CI.
 * Commands live in ./commands, one file each, as functions of (options, io) -> exit code.
 */
import { Command, InvalidArgumentError } from 'commander';
import { APP_VERSION } from '../version';
import { AppError } from '../../shared/errors';
import { processIo } from './io';
// Commands are loaded when run, not at start: `tstudio --help` or `lint` need not load dockerode,
// ssh2, ws and the Vast client (about 0.3 s of imports together).
import type { BuildCommandOptions } from './commands/build';
import type { RunCommandOptions } from './commands/run';
import type { SmokeCommandOptions } from './commands/smoke';
import type { ComposeCommandOptions } from './commands/compose';
import type { VastOffersOptions, VastLaunchOptions } from './commands/vast';

function num(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('a number');
  return n;
}

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
}

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
  // The command is done: leftover handles (a pooled socket to the engine, an idle SSH keepalive)
  // must not keep the CLI alive. Exit once what was written has been flushed.
  const code = Number(process.exitCode ?? 0);
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
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
    .action((opts: { json?: boolean }) =>
      run(async (signal) => (await import('./commands/doctor')).runDoctor(opts, processIo(signal))),
    );

  program
    .command('serve')
    .description('Serve the app to a browser on this machine (127.0.0.1, behind a token).')
    .option('--port <port>', 'port to listen on (default: a free port)', port)
    .option('--host <address>', 'address to bind (default 127.0.0.1; anything else is exposed to others)')
    .action((opts: { port?: number; host?: string }) =>
      run(async (signal) => (await import('./commands/serve')).runServe(opts, processIo(signal))),
    );

  program
    .command('lint')
    .description("Lint a template folder or repository, at least as strictly as Vast's own linter.")
    .argument('<path>', 'an image folder or a repository of them')
    .option('--json', 'print {"findings": [...]}')
    .option('--warn', 'also report warnings')
    .action((path: string, opts: { json?: boolean; warn?: boolean }) =>
      run(async (signal) => (await import('./commands/lint')).runLint({ path, ...opts }, processIo(signal))),
    );

  program
    .command('portal')
    .description('Parse PORTAL_CONFIG as the base image does and print the /etc/portal.yaml it would write.')
    .argument('<config>', "e.g. 'localhost:8000:18000:/:My App'")
    .action((config: string) =>
      run(async (signal) => (await import('./commands/portal')).runPortal({ config }, processIo(signal))),
    );

  program
    .command('new')
    .description(
      'Scaffold a template folder (derivative image, external image, or provisioning-only script).',
    )
    .requiredOption('--class <class>', 'derivative | external | provisioning')
    .requiredOption('--name <name>', 'the image name')
    .option('--port <port>', "the app's port", port)
    .option('--dir <dir>', 'where to create it (default: the current folder)')
    .option('--no-ci', 'do not write .github/workflows/tstudio.yml')
    .action(
      (opts: {
        class: 'derivative' | 'external' | 'provisioning';
        name: string;
        port?: number;
        dir?: string;
      }) => run(async (signal) => (await import('./commands/new')).runNew(opts, processIo(signal))),
    );

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('build')
    .description("Build a template's image on the Docker engine, step by step.")
    .argument('<path>', 'the build context (the image folder)')
    .option('-t, --tag <tag>', 'name:tag (repeatable)', collect)
    .option('--build-arg <k=v>', 'a build argument (repeatable)', collect)
    .option('--target <stage>', 'build up to this stage')
    .option('-f, --file <dockerfile>', 'the Dockerfile, relative to PATH')
    .option('--platform <platform>', 'e.g. linux/amd64')
    .option('--pull', 'always pull the base image')
    .option('--no-cache', 'do not use the build cache')
    .option('--builder <kind>', 'auto | buildkit | classic')
    .option('--json', 'print one JSON line per event')
    .action((path: string, opts: Omit<BuildCommandOptions, 'path'>) =>
      run(async (signal) =>
        (await import('./commands/build')).runBuild({ ...opts, path }, processIo(signal)),
      ),
    );

  program
    .command('push')
    .description('Push an image, checking the registry credentials first.')
    .argument('<image>', 'registry/name:tag')
    .option('--json', 'print one JSON line per event')
    .action((image: string, opts: { json?: boolean }) =>
      run(async (signal) => (await import('./commands/push')).runPush({ ...opts, image }, processIo(signal))),
    );

  program
    .command('run')
    .description('Run a template folder or an image on the local engine exactly as Vast launches it.')
    .argument('<source>', 'a template folder (built first if its image is missing) or an image')
    .argument(
      '[args...]',
      "args mode: the arguments passed to the image ENTRYPOINT (after --; default: the template's args_str)",
    )
    .option('--mode <mode>', "ssh | jupyter | args (default: the template's runtype, else ssh)")
    .option('--template <name>', 'which templates/<name> to use (default: default, or the only one)')
    .option('--timeout <seconds>', 'how long to wait for ready', num)
    .option('--cpus <n>', 'CPU limit', num)
    .option('--memory <bytes>', 'memory limit in bytes', int)
    .option('--shm <bytes>', '/dev/shm size in bytes', int)
    .option('--disk <gb>', 'disk size, where the storage driver supports it', num)
    .option('-e, --env <k=v>', 'extra environment (repeatable)', collect)
    .option('-p, --port <spec>', 'extra port to publish: 8000, 9000/udp, 70000 (repeatable)', collect)
    .option(
      '--workspace <path|volume:NAME|none>',
      "mount a host folder or named volume at the image's WORKSPACE (remembered per template; none forgets)",
    )
    .option('--json', 'print one JSON object once the run is ready')
    .action((source: string, args: string[], opts: Omit<RunCommandOptions, 'source' | 'args'>) =>
      run(async (signal) =>
        (await import('./commands/run')).runRun({ ...opts, source, args }, processIo(signal)),
      ),
    );

  program
    .command('rm')
    .description('Remove a local run.')
    .argument('<id>', 'the run id')
    .option('--json', 'print JSON')
    .action((id: string, opts: { json?: boolean }) =>
      run(async (signal) => (await import('./commands/rm')).runRm({ id, ...opts }, processIo(signal))),
    );

  program
    .command('runs')
    .description('List local runs: id, mode, image, state, uptime, ports on 127.0.0.1.')
    .option('--json', 'print an array of runs')
    .option(
      '--prune',
      'remove orphans instead: runs of a killed smoke, and runs created over 10 minutes ago that never started',
    )
    .action((opts: { json?: boolean; prune?: boolean }) =>
      run(async (signal) => (await import('./commands/runs')).runRuns(opts, processIo(signal))),
    );

  program
    .command('logs')
    .description("A local run container's own output (its entrypoint's or /.launch's).")
    .argument('<id>', 'the run id')
    .option('--tail <n>', 'the last N lines (default: all)', int)
    .option('-f, --follow', 'keep printing until the run stops or Ctrl-C')
    .action((id: string, opts: { tail?: number; follow?: boolean }) =>
      run(async (signal) => (await import('./commands/logs')).runLogs({ id, ...opts }, processIo(signal))),
    );

  program
    .command('status')
    .description('Supervisor programs and provisioning of a local run, as supervisorctl reports them.')
    .argument('<id>', 'the run id')
    .option('--json', 'print {"programs": [...], "provisioning": ...}')
    .action((id: string, opts: { json?: boolean }) =>
      run(async (signal) =>
        (await import('./commands/status')).runStatus({ id, ...opts }, processIo(signal)),
      ),
    );

  program
    .command('smoke')
    .description(
      'Build, run, wait until ready, check every portal program, tear down; exit 0 only if all holds.',
    )
    .argument('<path>', 'a template folder')
    .option('--mode <mode>', 'ssh | jupyter | args', 'ssh')
    .option('--template <name>', 'which templates/<name> to use')
    .option('--timeout <seconds>', 'for the whole smoke, build included', num)
    .option('--port-grace <seconds>', 'how long a portal program may take to bind its port', num)
    .option('--strict', 'also fail on programs in BACKOFF or FATAL that have no portal entry')
    .option('--json', 'print the report as JSON')
    .action((path: string, opts: Omit<SmokeCommandOptions, 'path'>) =>
      run(async (signal) =>
        (await import('./commands/smoke')).runSmoke({ ...opts, path }, processIo(signal)),
      ),
    );

  program
    .command('compose')
    .description(
      'Export a local run, or a template folder in a mode, as a docker-compose.yaml that reproduces it without the app.',
    )
    .argument('<run-or-path>', "a local run's id, or a template folder")
    .requiredOption('--out <dir>', 'the folder to write docker-compose.yaml and launch/ into')
    .option('--mode <mode>', 'ssh | jupyter | args (template folders; a run keeps its own)')
    .option('--template <name>', 'which templates/<name> to use')
    .option(
      '--workspace <path|volume:NAME|none>',
      'template folders: the workspace (default: the remembered one)',
    )
    .option('--json', 'print what was written as JSON')
    .action((target: string, opts: Omit<ComposeCommandOptions, 'target'>) =>
      run(async (signal) =>
        (await import('./commands/compose')).runCompose({ ...opts, target }, processIo(signal)),
      ),
    );

  program
    .command('ci')
    .description(
      "Write .github/workflows/tstudio.yml for a template's repository: lint, build, smoke, push on the default branch.",
    )
    .argument('<path>', 'the template folder')
    .option('--force', 'replace a tstudio.yml that Template Studio did not write')
    .option('--json', 'print what was written as JSON')
    .action((path: string, opts: { force?: boolean; json?: boolean }) =>
      run(async (signal) => (await import('./commands/ci')).runCi({ ...opts, path }, processIo(signal))),
    );

  program
    .command('ssh')
    .description("A shell (or one command) on a local run or a Vast instance, with the app's key.")
    .argument('<target>', "a local run's id, a Vast instance's id, or user@host[:port]")
    .argument('[command...]', 'the command to run (after --); an interactive shell without one')
    .option('--accept-host-key <fingerprint>', 'trust this SHA256 host key fingerprint first')
    .action((target: string, command: string[], opts: { acceptHostKey?: string }) =>
      run(async (signal) =>
        (await import('./commands/ssh')).runSsh({ target, command, ...opts }, processIo(signal), {
          resolveTarget: (await import('./target')).cliTargetResolver(),
        }),
      ),
    );

  program
    .command('tunnel')
    .description('Forward ports of a local run or a Vast instance to 127.0.0.1 until Ctrl-C.')
    .argument('<target>', "a local run's id, a Vast instance's id, or user@host[:port]")
    .argument('<ports...>', 'PORT or PORT:LOCALPORT (LOCALPORT 0 picks a free port)')
    .option('--accept-host-key <fingerprint>', 'trust this SHA256 host key fingerprint first')
    .action((target: string, ports: string[], opts: { acceptHostKey?: string }) =>
      run(async (signal) =>
        (await import('./commands/tunnel')).runTunnel({ target, ports, ...opts }, processIo(signal), {
          resolveTarget: (await import('./target')).cliTargetResolver(),
        }),
      ),
    );

  program
    .command('sandbox')
    .description(
      'Run the local Vast API sandbox (offers from realistic machines, instances, logs, templates).',
    )
    .option('--port <port>', 'port on 127.0.0.1 (default: a free port)', port)
    .option('--api-key <key>', 'the key requests must carry (default: a new one, printed)')
    .option(
      '--containers',
      'each instance is a real container on the local engine, reached with the app SSH key',
    )
    .action((opts: { port?: number; apiKey?: string; containers?: boolean }) =>
      run(async (signal) => (await import('./commands/sandbox')).runSandbox(opts, processIo(signal))),
    );

  const vast = program.command('vast').description('Vast.ai: offers, launches, instances, logs, templates.');
  const connection = (cmd: Command) =>
    cmd
      .option('--url <url>', 'the Vast server (default: VAST_URL, then console.vast.ai)')
      .option('--api-key <key>', 'the API key (default: VAST_API_KEY, then ~/.config/vastai/vast_api_key)');

  connection(
    vast
      .command('offers')
      .description(
        'Search offers; filters like the vast CLI (gpu_name=RTX_4090 num_gpus>=2 …) or the options.',
      )
      .argument('[query...]', 'query terms in the vast CLI syntax')
      .option('--gpu <name>', 'GPU model, e.g. "RTX 4090"')
      .option('--num-gpus <n>', 'number of GPUs', int)
      .option('--min-vram <gb>', 'VRAM per GPU, at least (GB)', num)
      .option('--max-price <usd>', '$/hour total, at most', num)
      .option('--min-reliability <r>', 'reliability, at least (0..1)', num)
      .option('--min-cuda <v>', 'CUDA version, at least', num)
      .option('--min-disk <gb>', 'disk, at least (GB)', num)
      .option('--country <cc>', 'two-letter country codes, comma-separated')
      .option('--type <type>', 'on-demand or bid (interruptible)')
      .option('--direct-ports <n>', 'direct ports, at least', int)
      .option('--order <fields>', 'sort, e.g. dph_total,reliability-')
      .option('--limit <n>', 'how many', int)
      .option('--template <path>', "apply this template's extra_filters")
      .option('--no-verified', 'include unverified machines')
      .option('--json', 'print JSON'),
  ).action((query: string[], opts: Omit<VastOffersOptions, 'query'>) =>
    run(async (signal) =>
      (await import('./commands/vast')).runVastOffers({ ...opts, query }, processIo(signal)),
    ),
  );

  connection(
    vast
      .command('launch')
      .description('Launch a template on an offer, in its launch mode, and wait until it runs.')
      .argument('<path>', 'a template folder or template.yml')
      .requiredOption('--offer <id>', 'the offer id', int)
      .option('--mode <mode>', "ssh | ssh-direct | jupyter | jupyter-direct | args (default: the template's)")
      .option('--label <label>', 'instance label')
      .option('--disk <gb>', 'disk (GB)', num)
      .option('--no-wait', 'print the id and return at once')
      .option('--json', 'print JSON'),
  ).action((path: string, opts: Omit<VastLaunchOptions, 'path'>) =>
    run(async (signal) =>
      (await import('./commands/vast')).runVastLaunch({ ...opts, path }, processIo(signal)),
    ),
  );

  connection(
    vast.command('instances').description('List your instances.').option('--json', 'print JSON'),
  ).action((opts: { json?: boolean; url?: string; apiKey?: string }) =>
    run(async (signal) => (await import('./commands/vast')).runVastInstances(opts, processIo(signal))),
  );

  connection(
    vast.command('destroy').description('Destroy an instance.').argument('<id>', 'instance id', int),
  ).action((id: number, opts: { url?: string; apiKey?: string }) =>
    run(async (signal) =>
      (await import('./commands/vast')).runVastDestroy({ ...opts, id }, processIo(signal)),
    ),
  );

  connection(
    vast
      .command('logs')
      .description("An instance's container logs.")
      .argument('<id>', 'instance id', int)
      .option('--tail <n>', 'last N lines', int),
  ).action((id: number, opts: { tail?: number; url?: string; apiKey?: string }) =>
    run(async (signal) => (await import('./commands/vast')).runVastLogs({ ...opts, id }, processIo(signal))),
  );

  connection(
    vast
      .command('publish')
      .description('Publish a template.yml as a Vast template (or update the one published before).')
      .argument('<path>', 'a template folder or template.yml')
      .option('--json', 'print JSON'),
  ).action((path: string, opts: { json?: boolean; url?: string; apiKey?: string }) =>
    run(async (signal) =>
      (await import('./commands/vast')).runVastPublish({ ...opts, path }, processIo(signal)),
    ),
  );

  return program;
}

await buildProgram().parseAsync(process.argv);
