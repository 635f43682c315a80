// tstudio logs ID [--tail N] [-f|--follow]
import type { CliIo } from '../io';
import { createLocalRunsContext, type LocalRunsContext } from './run';

export interface LogsCommandOptions {
  id: string;
  /** The last N lines (default: all, up to 100 000 without --follow). */
  tail?: number;
  follow?: boolean;
}

/** Exit codes: 0 printed (or followed until the run stopped), 130 when Ctrl-C ended a follow. */
export async function runLogs(
  argv: LogsCommandOptions,
  io: CliIo,
  context?: LocalRunsContext,
): Promise<number> {
  const ctx = context ?? (await createLocalRunsContext());
  const run = await ctx.runs.get(argv.id);
  if (!argv.follow) {
    const text = await ctx.runs.logs(run.containerId, argv.tail ?? 100_000);
    io.stdout(text);
    return 0;
  }
  // The container's stdout and stderr both go to stdout, as without --follow: they are the result.
  await ctx.runs.followLogs(run.containerId, {
    tail: argv.tail,
    signal: io.signal,
    onData: (text) => io.stdout(text),
  });
  if (io.signal?.aborted) return 130;
  const after = await ctx.runs.get(run.containerId).catch(() => null);
  io.stderr(after ? `Run ${run.id} is ${after.state} (${after.status}).\n` : `Run ${run.id} was removed.\n`);
  return 0;
}
