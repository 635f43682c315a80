import type { z } from 'zod';
import type { FleetState } from '../../../shared/contract/monitor';
import { FATAL_STATUS_FRAGMENTS } from '../vast/index';

export type FleetStateName = z.output<typeof FleetState>;

/**
 * A Vast instance's state in the overview's words. `exited` with the instance meant to run is a
 * crash; a pull or daemon error in status_msg is a failure even while actual_status still says
 * loading (Vast keeps retrying, the user should still hear about it).
 */
export function instanceFleetState(i: {
  actual_status?: string | null;
  intended_status?: string | null;
  status_msg?: string | null;
}): FleetStateName {
  const actual = i.actual_status ?? null;
  const intended = i.intended_status ?? null;
  const msg = (i.status_msg ?? '').toLowerCase();
  if (actual === 'stopped' || (actual === 'exited' && intended === 'stopped')) return 'stopped';
  if (actual === 'exited' || actual === 'offline' || actual === 'error') return 'failed';
  if (actual !== 'running' && FATAL_STATUS_FRAGMENTS.some((f) => msg.includes(f))) return 'failed';
  if (actual === 'running') return 'running';
  if (actual === null || actual === 'created') return 'provisioning';
  if (actual === 'loading' || actual === 'rebooting' || actual === 'scheduling') return 'loading';
  return 'unknown';
}

/**
 * A local run's state. docker stop ends a container with 0, 137 (SIGKILL after the grace) or 143
 * (SIGTERM): those are stops; any other exit code is a failure.
 */
export function runFleetState(state: string, status: string): FleetStateName {
  if (state === 'running') return 'running';
  if (state === 'created') return 'provisioning';
  if (state === 'restarting') return 'loading';
  if (state === 'paused') return 'stopped';
  if (state === 'dead') return 'failed';
  if (state === 'exited') {
    const code = /Exited \((-?\d+)\)/.exec(status)?.[1];
    if (code === undefined) return 'stopped';
    return ['0', '137', '143'].includes(code) ? 'stopped' : 'failed';
  }
  return 'unknown';
}

/** A state change between two polls that deserves a notification. */
export type Transition = 'ready' | 'stopped' | 'failed';

/** Null when nothing happened worth saying, or on first sight (no "before" to compare with). */
export function transitionOf(before: FleetStateName | undefined, after: FleetStateName): Transition | null {
  if (before === undefined || before === after) return null;
  if (after === 'running') return 'ready';
  if (after === 'failed') return 'failed';
  if (after === 'stopped' && before !== 'failed') return 'stopped';
  return null;
}
