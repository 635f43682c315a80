/**
 * How supervisor (and launch) code runs a command inside a container: docker exec for local runs, SSH
 * exec for Vast instances. Argv only: an implementation that needs a shell string (SSH) quotes it
 * with a library, never by hand.
 */
export interface ExecOptions {
  signal?: AbortSignal;
  /** Give up after this long (ms); the result is a TIMEOUT AppError. */
  timeoutMs?: number;
  user?: string;
  env?: Record<string, string>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecStreamOptions extends ExecOptions {
  onStdout: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
}

export interface ExecTransport {
  /** Runs argv to the end and collects its output. */
  exec(argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs argv and hands output over as it comes; resolves with the exit code (or on abort, with -1). */
  stream(argv: string[], opts: ExecStreamOptions): Promise<{ exitCode: number }>;
}
