// tstudio runs [--json] [--prune]
import type { RunInfo, RunMode } from '../../services/launch';
import type { CliIo } from '../io';
import { createLocalRunsContext, type LocalRunsContext } from './run';

export interface RunsCommandOptions {
  json?: boolean;
  /** Remove orphans (runs of a killed smoke, containers created but never started) instead of listing. */
  prune?: boolean;
}

/** One run as `tstudio runs --json` prints it. */
export interface RunListEntry {
  id: string;
  name: string;
  mode: RunMode;
  image: string;
  source: string;
  state: RunInfo['state'];
  /** As `docker ps` words it: `Up 3 minutes`, `Exited (0) 2 hours ago`. */
  status: string;
  uptimeSeconds: number | null;
  /** `{"22/tcp": 32801}`: the host port on 127.0.0.1 per container port. */
  ports: Record<string, number>;
  ssh: RunInfo['ssh'];
  /** From create to ready, when the run became ready through this machine's app or CLI; else null. */
  readyMs: number | null;
}

export async function runRuns(
  argv: RunsCommandOptions,
  io: CliIo,
  context?: LocalRunsContext,
): Promise<number> {
  const ctx = context ?? (await createLocalRunsContext());
  if (argv.prune) return prune(argv, io, ctx);
  const runs = await ctx.runs.list();
  // Provisioning is not shown: it takes a docker exec per run (tstudio status ID has it).
  const entries: RunListEntry[] = runs.map((r) => ({
    id: r.id,
    name: r.name,
    mode: r.mode,
    image: r.image,
    source: r.source,
    state: r.state,
    status: r.status,
    uptimeSeconds: r.uptimeSeconds,
    ports: r.ports,
    ssh: r.ssh,
    readyMs: r.readyMs,
  }));
  if (argv.json) {
    io.stdout(`${JSON.stringify(entries)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    io.stdout('There are no local runs. Start one with: tstudio run PATH --mode ssh\n');
    return 0;
  }
  const rows = entries.map((e) => [
    e.id,
    e.mode,
    e.image,
    e.state,
    e.uptimeSeconds === null ? '-' : formatUptime(e.uptimeSeconds),
    e.readyMs === null ? '-' : `${(e.readyMs / 1000).toFixed(1)} s`,
    formatPorts(e.ports),
  ]);
  io.stdout(table(['ID', 'MODE', 'IMAGE', 'STATE', 'UPTIME', 'READY IN', 'PORTS'], rows));
  return 0;
}

async function prune(argv: RunsCommandOptions, io: CliIo, ctx: LocalRunsContext): Promise<number> {
  const removed = await ctx.runs.cleanupOrphans();
  if (argv.json) {
    io.stdout(`${JSON.stringify({ removed })}\n`);
    return 0;
  }
  if (removed.length === 0) {
    io.stdout(
      'Nothing to clean up: no stopped smoke runs, and no runs created more than 10 minutes ago that never started.\n',
    );
    return 0;
  }
  io.stdout(`Removed ${removed.length} orphan run${removed.length === 1 ? '' : 's'}:\n`);
  for (const id of removed) io.stdout(`  ${id}\n`);
  return 0;
}

/** `22→127.0.0.1:32801, 9000/udp→127.0.0.1:32802`: TCP goes without saying. */
export function formatPorts(ports: Record<string, number>): string {
  const parts = Object.entries(ports).map(
    ([port, host]) => `${port.replace(/\/tcp$/, '')}→127.0.0.1:${host}`,
  );
  return parts.length ? parts.join(', ') : '-';
}

export function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return h < 48 ? `${h} h ${Math.floor((seconds % 3600) / 60)} min` : `${Math.floor(h / 24)} days`;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The last column is not padded: no trailing spaces.
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ') + '\n';
  return line(head) + rows.map(line).join('');
}
