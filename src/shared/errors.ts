import { z } from 'zod';

/**
 * Stable error codes shared by every shell. A code never changes meaning once released: scripts
 * (`tstudio … --json`) and the UI both branch on it.
 */
export const ERROR_CODES = [
  /** The input of a call did not match the contract's schema. */
  'VALIDATION',
  /** No handler or no such call or event name. */
  'UNKNOWN_CALL',
  /** A bug: something the app did not expect. The message says what to report. */
  'INTERNAL',
  /** The Docker engine cannot be reached at the resolved endpoint. */
  'DOCKER_UNAVAILABLE',
  /** The Docker engine answered with an error. */
  'DOCKER_ERROR',
  /** A Dockerfile or build failed. */
  'BUILD_FAILED',
  /** The registry refused the credentials. */
  'REGISTRY_AUTH',
  /** The thing asked for does not exist (run, operation, template, instance…). */
  'NOT_FOUND',
  /** The user or the app cancelled the work. */
  'CANCELLED',
  /** The work took longer than it was allowed to. */
  'TIMEOUT',
  /** Something is in the way (a port in use, a name taken). */
  'CONFLICT',
  /** A file could not be read or written. */
  'IO',
  /** A template folder or manifest is invalid. */
  'TEMPLATE_INVALID',
  /** The Vast API key is missing, wrong or lacks a permission. */
  'VAST_AUTH',
  /** The Vast API refused the request (bad arguments, no such offer…). */
  'VAST_REQUEST',
  /** The Vast API is rate limiting us and retries ran out. */
  'VAST_RATE_LIMIT',
  /** The Vast API could not be reached or answered something unreadable. */
  'VAST_UNAVAILABLE',
  /** An SSH connection failed. */
  'SSH_CONNECT',
  /** SSH authentication failed. */
  'SSH_AUTH',
  /** The host presented a key different from the one remembered for it. */
  'SSH_HOST_KEY_MISMATCH',
  /** The host's key is new and must be confirmed by the user first. */
  'SSH_HOST_KEY_UNKNOWN',
  /** No working OS keychain: secrets cannot be stored safely. */
  'SECRET_STORE_UNAVAILABLE',
  /** The browser shell refused a request (missing or wrong token, foreign origin). */
  'UNAUTHORIZED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const AppErrorShape = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.unknown().optional(),
});
export type AppErrorData = z.infer<typeof AppErrorShape>;

/** An error as a value with a stable code. Thrown inside main, sent across every boundary as data. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toData(): AppErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static from(err: unknown): AppError {
    if (err instanceof AppError) return err;
    if (isAppErrorData(err)) return new AppError(err.code, err.message, err.details);
    if (err instanceof Error && err.name === 'AbortError') return new AppError('CANCELLED', 'Cancelled.');
    const message = err instanceof Error ? err.message : String(err);
    return new AppError('INTERNAL', `Unexpected error: ${message}`);
  }
}

export function isAppErrorData(value: unknown): value is AppErrorData {
  return AppErrorShape.safeParse(value).success;
}
