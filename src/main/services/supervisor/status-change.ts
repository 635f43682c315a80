import type { SupervisorSnapshot } from './supervisor-client';

/**
 * What a user would notice changing in a snapshot. Uptimes tick every second and checkedAt every
 * poll; a live view is told only when this key changes.
 */
export function snapshotChangeKey(snapshot: SupervisorSnapshot): string {
  return JSON.stringify([
    snapshot.supervisord,
    snapshot.provisioning,
    snapshot.programs.map((p) => [p.namespec, p.state, p.skipped, p.pid, p.error]),
    snapshot.unparsed,
  ]);
}
