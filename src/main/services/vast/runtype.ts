import type { z } from 'zod';
import type { LaunchMode } from '../../../shared/contract/vast';

export type LaunchModeName = z.output<typeof LaunchMode>;

/**
 * The runtype string the official CLI sends for each mode (`get_runtype`). Note the `ssh_direc`
 * spelling (sic) and the space-separated combinations: that is what the server has always seen.
 */
export function runtypeForMode(mode: LaunchModeName): string {
  switch (mode) {
    case 'ssh':
      return 'ssh_proxy';
    case 'ssh-direct':
      return 'ssh_direc ssh_proxy';
    case 'jupyter':
      return 'jupyter_proxy ssh_proxy';
    case 'jupyter-direct':
      return 'jupyter_direc ssh_direc ssh_proxy';
    case 'args':
      return 'args';
  }
}

export const RUNTYPE_TOKENS = [
  'ssh',
  'ssh_proxy',
  'ssh_direc',
  'ssh_direct',
  'jupyter',
  'jupyter_proxy',
  'jupyter_direc',
  'jupyter_direct',
  'args',
] as const;

export interface ParsedRuntype {
  mode: LaunchModeName;
  /** Port 22 is published on the instance. */
  sshDirect: boolean;
  /** Port 8080 is published on the instance. */
  jupyterDirect: boolean;
  tokens: string[];
}

/**
 * Reads any space-separated mix of runtype tokens, in both spellings (`ssh_direc`/`ssh_direct`).
 * Returns null when a token is unknown. Jupyter implies SSH too; `args` alone keeps the entrypoint.
 */
export function parseRuntype(value: string): ParsedRuntype | null {
  const tokens = value.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return null;
  if (tokens.some((t) => !(RUNTYPE_TOKENS as readonly string[]).includes(t))) return null;
  const jupyter = tokens.some((t) => t.startsWith('jupyter'));
  const ssh = tokens.some((t) => t.startsWith('ssh'));
  const jupyterDirect = tokens.some((t) => t === 'jupyter_direc' || t === 'jupyter_direct');
  // On Vast a direct jupyter launch also opens 22 directly: the CLI always pairs them.
  const sshDirect = tokens.some((t) => t === 'ssh_direc' || t === 'ssh_direct') || jupyterDirect;
  let mode: LaunchModeName;
  if (jupyter) mode = jupyterDirect ? 'jupyter-direct' : 'jupyter';
  else if (ssh) mode = sshDirect ? 'ssh-direct' : 'ssh';
  else mode = 'args';
  return { mode, sshDirect, jupyterDirect, tokens };
}

/** A template.yml's runtype and direct flags -> the launch mode it asks for. */
export function modeFromTemplate(t: {
  runtype?: string | null;
  ssh_direct?: boolean | null;
  jup_direct?: boolean | null;
}): LaunchModeName {
  const runtype = (t.runtype ?? 'args').trim();
  if (runtype.startsWith('jupyter')) return t.jup_direct ? 'jupyter-direct' : 'jupyter';
  if (runtype.startsWith('ssh')) return t.ssh_direct ? 'ssh-direct' : 'ssh';
  return 'args';
}
