import type { VastInstanceData } from './schemas';

/**
 * status_msg fragments that mean the instance will never come up (vast-ai/base-image's
 * test_template.py fails fast on the same list). Compared case-insensitively.
 */
export const FATAL_STATUS_FRAGMENTS = [
  'error response from daemon',
  'failed to pull image',
  'no space left on device',
  'manifest unknown',
  'unauthorized',
  'unexpected eof',
] as const;

/** actual_status values that end a wait: the container is not coming up by itself. */
export const FATAL_ACTUAL_STATUSES = ['exited', 'offline', 'error'] as const;

/** Why waiting for this instance is pointless, or null while it may still come up. */
export function fatalReason(instance: VastInstanceData): string | null {
  const msg = (instance.status_msg ?? '').toLowerCase();
  const fragment = FATAL_STATUS_FRAGMENTS.find((f) => msg.includes(f));
  if (fragment) return instance.status_msg ?? fragment;
  const actual = instance.actual_status ?? '';
  if ((FATAL_ACTUAL_STATUSES as readonly string[]).includes(actual)) {
    return `the instance is ${actual}${instance.status_msg ? `: ${instance.status_msg}` : ''}`;
  }
  // A stop the user did not ask for (intended running) is still fatal for a launch wait.
  if (actual === 'stopped' && instance.intended_status === 'stopped') return 'the instance was stopped';
  return null;
}

/** `[[k, v], ...]` (the wire) or an object -> an object, like the CLI's fix-up. */
export function extraEnvObject(extra: VastInstanceData['extra_env']): Record<string, string> {
  if (!extra) return {};
  if (Array.isArray(extra)) return Object.fromEntries(extra);
  return { ...extra };
}
