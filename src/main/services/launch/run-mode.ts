/** How Vast launches an instance (runtype): ssh and jupyter replace the ENTRYPOINT with /.launch; args keeps it. */
export type RunMode = 'ssh' | 'jupyter' | 'args';
export const RUN_MODES: readonly RunMode[] = ['ssh', 'jupyter', 'args'];

/** Ports Vast opens by itself in each mode (ssh_direct: 22; jupyter_direct: 8080 and 22). */
export function portsOpenedByMode(mode: RunMode): number[] {
  if (mode === 'ssh') return [22];
  if (mode === 'jupyter') return [22, 8080];
  return [];
}
