export interface BackoffOptions {
  /** The first delay (ms). */
  initialMs: number;
  /** No delay is longer than this (ms). */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000, factor: 2 };

/**
 * The delay before reconnect attempt `attempt` (0-based): exponential with "equal jitter", so many
 * tunnels dropped by the same network change do not all knock on sshd at the same instant, and no
 * delay is ever shorter than half the exponential step.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random,
): number {
  const step = Math.min(options.maxMs, options.initialMs * Math.pow(options.factor, Math.max(0, attempt)));
  return Math.round(step / 2 + random() * (step / 2));
}
