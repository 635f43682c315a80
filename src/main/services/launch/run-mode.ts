/** How Vast launches an instance (runtype): ssh and jupyter replace the ENTRYPOINT with /.launch; args keeps it. */
export type RunMode = 'ssh' | 'jupyter' | 'args';
export const RUN_MODES: readonly RunMode[] = ['ssh', 'jupyter', 'args'];

/** Ports Vast opens by itself in each mode (ssh_direct: 22; jupyter_direct: 8080 and 22). */
export function portsOpenedByMode(mode: RunMode): number[] {
  if (mode === 'ssh') return [22];
  if (mode === 'jupyter') return [22, 8080];
  return [];
}

/**
 * The local mode a template's runtype asks for: Vast's runtype strings (`ssh`, `ssh_direc ssh_proxy`,
 * `jupyter_proxy ssh_proxy`, `args`) name jupyter first when Jupyter is wanted; null when the template
 * sets none or something else.
 */
export function runModeOfRuntype(runtype: string | null | undefined): RunMode | null {
  const tokens = (runtype ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.some((t) => t.startsWith('jupyter'))) return 'jupyter';
  if (tokens.some((t) => t.startsWith('ssh'))) return 'ssh';
  if (tokens.includes('args')) return 'args';
  return null;
}
