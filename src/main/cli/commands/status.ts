// tstudio status ID [--json]
import type { CliIo } from '../io';
import { createLocalRunsContext, type LocalRunsContext } from './run';

export interface StatusCommandOptions {
  id: string;
  json?: boolean;
}

export async function runStatus(
  argv: StatusCommandOptions,
  io: CliIo,
  context?: LocalRunsContext,
): Promise<number> {
  const ctx = context ?? (await createLocalRunsContext());
  const run = await ctx.runs.get(argv.id);
  const snapshot = await ctx.runs.supervisor(run.containerId).snapshot(io.signal);
  if (argv.json) {
    const out = {
      programs: snapshot.programs.map((p) => ({
        name: p.namespec,
        state: p.state,
        description: p.description,
        skipped: p.skipped,
      })),
      provisioning: snapshot.provisioning,
      supervisord: snapshot.supervisord,
    };
    io.stdout(`${JSON.stringify(out)}\n`);
    return 0;
  }
  io.stdout(
    `Run ${run.id} (${run.mode} mode, ${run.state}) · provisioning: ${snapshot.provisioning} · supervisord: ${snapshot.supervisord}\n`,
  );
  const width = Math.max(10, ...snapshot.programs.map((p) => p.namespec.length)) + 2;
  for (const p of snapshot.programs) {
    const state = p.skipped ? `${p.state} (skipped)` : p.state;
    io.stdout(`  ${p.namespec.padEnd(width)}${state.padEnd(20)}${p.description}\n`);
  }
  for (const line of snapshot.unparsed) io.stdout(`  ? ${line}\n`);
  return 0;
}
