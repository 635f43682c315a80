// tstudio compose RUN_OR_PATH --out DIR [--mode ssh|jupyter|args] [--template NAME] [--workspace PATH|volume:NAME|none] [--json]
// Writes DIR/docker-compose.yaml and the launch files it mounts, so `docker-compose up -d` in DIR
// reproduces the run (or a run of the template folder) without the app.
import { AppError } from '../../../shared/errors';
import { exportCompose } from '../../services/compose';
import type { RunMode } from '../../services/launch';
import type { CliIo } from '../io';
import { createLocalRunsContext, workspaceArgument, type LocalRunsContext } from './run';

export interface ComposeCommandOptions {
  /** A local run's id, or a template folder. */
  target: string;
  out: string;
  mode?: RunMode;
  template?: string;
  workspace?: string;
  json?: boolean;
  /** Labels on the containers compose makes (tests). */
  labels?: Record<string, string>;
}

export async function runCompose(
  argv: ComposeCommandOptions,
  io: CliIo,
  context?: LocalRunsContext,
): Promise<number> {
  if (argv.mode && !['ssh', 'jupyter', 'args'].includes(argv.mode))
    throw new AppError('VALIDATION', `--mode must be ssh, jupyter or args, not ${argv.mode}.`);
  if (!argv.out) throw new AppError('VALIDATION', '--out DIR is required: the folder to write into.');
  const ctx = context ?? (await createLocalRunsContext());
  const result = await exportCompose(
    ctx.runs,
    argv.target,
    {
      out: argv.out,
      mode: argv.mode,
      template: argv.template,
      workspace: workspaceArgument(argv.workspace),
      labels: argv.labels,
    },
    {
      signal: io.signal ?? new AbortController().signal,
      log: (text) => io.stderr(text),
      emit: () => undefined,
    },
  );
  if (argv.json) {
    io.stdout(`${JSON.stringify(result)}\n`);
    return 0;
  }
  io.stdout(`Exported ${result.origin} (${result.mode} mode) to ${result.dir}\n`);
  for (const f of result.files) io.stdout(`  ${f}\n`);
  for (const [port, host] of Object.entries(result.ports)) io.stdout(`  ${port} -> 127.0.0.1:${host}\n`);
  io.stdout(`Start it: cd ${result.dir} && docker-compose up -d\n`);
  return 0;
}
