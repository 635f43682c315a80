/**
 * Faults the sandbox can inject, to see the client and the UI cope with what Vast really does:
 * rate limits without Retry-After, gateway errors, slowness, instances that never load, and
 * image pulls that fail. Set at construction and changed at run time (method or admin endpoint).
 */
export interface SandboxFaults {
  /** Answer 429 to every Nth API call (0: never). */
  rateLimitEvery: number;
  /** Answer `serverErrorStatus` to every Nth API call (0: never). */
  serverErrorEvery: number;
  serverErrorStatus: number;
  /** Fail the next N API calls with `failNextStatus`, then behave (deterministic retry tests). */
  failNextCalls: number;
  failNextStatus: number;
  /** Added before every API answer, ms. */
  latencyMs: number;
  /** New instances stay `loading` forever. */
  stuckLoading: boolean;
  /** New instances fail their image pull and end `exited`. */
  failImagePull: boolean;
  /** How many GETs of a logs result_url answer 404 before the text is there (S3 lag). */
  logsNotReadyPolls: number;
}

export const NO_FAULTS: SandboxFaults = Object.freeze({
  rateLimitEvery: 0,
  serverErrorEvery: 0,
  serverErrorStatus: 502,
  failNextCalls: 0,
  failNextStatus: 503,
  latencyMs: 0,
  stuckLoading: false,
  failImagePull: false,
  logsNotReadyPolls: 1,
});

/** Reads a partial fault object from an untrusted admin request; unknown keys are refused. */
export function parseFaults(input: unknown): Partial<SandboxFaults> {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    throw new Error('faults must be an object');
  const out: Partial<SandboxFaults> = {};
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (!(k in NO_FAULTS)) throw new Error(`unknown fault "${k}"`);
    const expected = typeof NO_FAULTS[k as keyof SandboxFaults];
    if (typeof v !== expected) throw new Error(`fault "${k}" must be a ${expected}`);
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0))
      throw new Error(`fault "${k}" must be a number ≥ 0`);
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export const RATE_LIMIT_BODY = 'API requests too frequent endpoint threshold=1.0';

/** What an nginx in front of Vast answers on a bad day: HTML, not JSON. */
export function gatewayErrorBody(status: number): string {
  const text: Record<number, string> = {
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Temporarily Unavailable',
    504: 'Gateway Time-out',
  };
  const title = `${status} ${text[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
