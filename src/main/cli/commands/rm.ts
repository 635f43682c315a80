// tstudio rm ID [--json]
import type { CliIo } from '../io';
import { createLocalRunsContext, type LocalRunsContext } from './run';

export interface RmCommandOptions {
  id: string;
  json?: boolean;
}

export async function runRm(argv: RmCommandOptions, io: CliIo, context?: LocalRunsContext): Promise<number> {
  const ctx = context ?? (await createLocalRunsContext());
  const run = await ctx.runs.get(argv.id);
  await ctx.runs.remove(run.containerId);
  io.stdout(argv.json ? `${JSON.stringify({ removed: run.id })}\n` : `Removed run ${run.id}\n`);
  return 0;
}
