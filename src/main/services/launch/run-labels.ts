import type { RunMode } from './run-mode';
import type { RunWorkspace } from './workspace';

/** Labels that make a container a run, so runs are found again after the app restarts. */
export const RUN_LABEL = 'tstudio.run';
export const LABELS = {
  run: RUN_LABEL,
  mode: 'tstudio.run.mode',
  source: 'tstudio.run.source',
  template: 'tstudio.run.template',
  image: 'tstudio.run.image',
  instanceId: 'tstudio.run.instance',
  ports: 'tstudio.run.ports',
  identityFile: 'tstudio.run.identity-file',
  ephemeral: 'tstudio.run.ephemeral',
  cpuOnly: 'tstudio.run.cpu-only',
  /** 1 when something starts the image's own boot (args mode, or an onstart): ready then waits for it. */
  boot: 'tstudio.run.boot',
  /** JSON RunWorkspace: the host folder or volume mounted at WORKSPACE. */
  workspace: 'tstudio.run.workspace',
} as const;

export type RunState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface RunSsh {
  host: string;
  port: number;
  user: string;
  identityFile: string;
}

/** A run as the app lists it. */
export interface RunInfo {
  /** The container id's first 12 characters, as `docker ps` shows it. */
  id: string;
  containerId: string;
  name: string;
  mode: RunMode;
  image: string;
  /** The template folder or image the run came from. */
  source: string;
  template: string | null;
  instanceId: number;
  /** `C.<instanceId>`, as VAST_CONTAINERLABEL. */
  containerLabel: string;
  state: RunState;
  /** As `docker ps` words it: "Up 2 minutes", "Exited (0) 3 seconds ago". */
  status: string;
  createdAt: number;
  /** Milliseconds since the epoch, null when never started or not running. */
  startedAt: number | null;
  uptimeSeconds: number | null;
  /** `{"22/tcp": 32801}`, keyed by the port the template asked for. */
  ports: Record<string, number>;
  ssh: RunSsh | null;
  cpuOnly: boolean;
  /** Made by `tstudio smoke` and removed by it; left behind only if it was killed. */
  ephemeral: boolean;
  /** The host folder or volume mounted at WORKSPACE, if any. */
  workspace: RunWorkspace | null;
  /** From create to ready, when this machine's app or CLI started it and saw it ready; else null. */
  readyMs: number | null;
}

export function runStateOf(value: unknown): RunState {
  const s = String(value ?? '').toLowerCase();
  const states: RunState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
  return (states as string[]).includes(s) ? (s as RunState) : 'dead';
}

export function parsePortsLabel(value: string | undefined): Record<string, number> {
  if (!value) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    if (!parsed || typeof parsed !== 'object') return {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>))
      if (typeof v === 'number') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

export function runModeOf(value: string | undefined): RunMode {
  return value === 'jupyter' || value === 'args' ? value : 'ssh';
}
