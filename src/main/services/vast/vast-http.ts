import type { z } from 'zod';
import { AppError, type ErrorCode } from '../../../shared/errors';
import { buildApiUrl } from './python-encoding';
import { VastError } from './schemas';

export const DEFAULT_VAST_URL = 'https://console.vast.ai';

export interface VastHttpOptions {
  apiKey: string;
  /** Defaults to VAST_URL, then https://console.vast.ai (the CLI's order). */
  baseUrl?: string;
  /** Per attempt, ms. The official client uses 120 s. */
  timeoutMs?: number;
  /** Attempts in all (the CLI's `--retry`, default 3). */
  attempts?: number;
  /** First backoff sleep, ms; then ×`backoffFactor` (the CLI: 0.15 s ×1.5). */
  backoffMs?: number;
  backoffFactor?: number;
  userAgent?: string;
}

export interface RequestOptions<S extends z.ZodType> {
  query?: Record<string, unknown>;
  /** JSON body. PUT, POST and DELETE always send at least `{}`, like the CLI. */
  body?: unknown;
  schema: S;
  signal?: AbortSignal;
  /** Error codes that mean "no such thing" for this call (-> NOT_FOUND instead of VAST_REQUEST). */
  notFoundCodes?: readonly string[];
  /** What the call is about, for messages: "instance 123". */
  subject?: string;
  /**
   * False for calls that must not run twice (creating an instance costs money): then only answers
   * that prove the request was not processed are retried (429, 503, a refused connection), never a
   * timeout or a 502/504 after which the instance may exist already.
   */
  idempotent?: boolean;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const SAFE_RETRY_STATUSES = new Set([429, 503]);
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const AUTH_CODES = new Set(['auth_error', 'not_authorized', 'unauthorized', 'invalid_key']);

export function resolveBaseUrl(explicit?: string): string {
  return (explicit ?? process.env.VAST_URL ?? DEFAULT_VAST_URL).replace(/\/+$/, '');
}

/**
 * One HTTP exchange with Vast, the way the new official client does it: Bearer auth, retries with
 * backoff on 429/502/503/504 and network errors (no Retry-After exists), a timeout per attempt,
 * `200 {success:false}` treated as a failure, and every failure turned into an AppError with a
 * stable code and a message a user can act on. The key never appears in a message or a detail.
 */
export class VastHttp {
  readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly backoffFactor: number;
  private readonly userAgent: string;

  constructor(options: VastHttpOptions) {
    this.apiKey = options.apiKey;
    this.baseUrl = resolveBaseUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.backoffMs ?? 150;
    this.backoffFactor = options.backoffFactor ?? 1.5;
    this.userAgent = options.userAgent ?? 'tstudio';
  }

  async request<S extends z.ZodType>(
    method: string,
    path: string,
    options: RequestOptions<S>,
  ): Promise<z.output<S>> {
    const url = buildApiUrl(this.baseUrl, path, options.query);
    const label = `${method} ${path}`;
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const body = hasBody ? JSON.stringify(options.body ?? {}) : undefined;
    let delay = this.backoffMs;
    let last: { status: number; text: string } | { error: unknown } | null = null;
    const idempotent = options.idempotent ?? true;
    const retryStatuses = idempotent ? RETRY_STATUSES : SAFE_RETRY_STATUSES;

    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      options.signal?.throwIfAborted();
      try {
        const res = await this.fetchOnce(method, url, body, options.signal);
        if (retryStatuses.has(res.status) && attempt < this.attempts) {
          last = res;
          await sleep(delay, options.signal);
          delay *= this.backoffFactor;
          continue;
        }
        return this.interpret(label, res.status, res.text, options);
      } catch (err) {
        if (options.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled.');
        if (err instanceof AppError) throw err;
        last = { error: err };
        if (attempt < this.attempts && (idempotent || NOT_SENT_CODES.has(errorCode(err)))) {
          await sleep(delay, options.signal);
          delay *= this.backoffFactor;
          continue;
        }
      }
    }
    if (last && 'error' in last) throw this.networkError(label, last.error);
    throw new AppError('VAST_UNAVAILABLE', `Vast did not answer ${label}.`);
  }

  /** GET a URL Vast handed out (logs result_url): no auth header, like the CLI. */
  async fetchPlain(url: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    return this.fetchOnce('GET', url, undefined, signal, false);
  }

  private async fetchOnce(
    method: string,
    url: string,
    body: string | undefined,
    signal: AbortSignal | undefined,
    auth = true,
  ): Promise<{ status: number; text: string }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, Accept: 'application/json' };
    if (auth) headers.Authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const res = await fetch(url, { method, headers, body, signal: combined });
      const text = await res.text();
      return { status: res.status, text };
    } catch (err) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'Cancelled.');
      if (timeout.aborted) throw new TimeoutFailure(this.timeoutMs);
      throw err;
    }
  }

  private interpret<S extends z.ZodType>(
    label: string,
    status: number,
    text: string,
    options: RequestOptions<S>,
  ): z.output<S> {
    let json: unknown;
    let isJson = true;
    try {
      json = text.length ? JSON.parse(text) : undefined;
    } catch {
      isJson = false;
    }
    const err = isJson ? VastError.safeParse(json) : null;
    const vastCode = err?.success && !Array.isArray(json) ? err.data.error : undefined;
    const vastMsg =
      err?.success && !Array.isArray(json)
        ? (err.data.msg ?? err.data.message ?? err.data.detail)
        : undefined;
    const details = { status, path: label, ...(vastCode ? { vastError: vastCode } : {}) };

    if (status === 429) {
      throw new AppError(
        'VAST_RATE_LIMIT',
        `Vast is rate limiting requests (${label}) and retries ran out. Wait a few seconds and try again; polling slower helps.`,
        details,
      );
    }
    if (status === 401 || (status === 403 && (!vastCode || AUTH_CODES.has(vastCode)))) {
      const why = !isJson ? 'Please log in or sign up' : (vastMsg ?? 'the key was refused');
      throw new AppError(
        'VAST_AUTH',
        this.redact(
          `Vast refused the API key (${why}). Check the key in Settings or create a new one at https://cloud.vast.ai/manage-keys/.`,
        ),
        details,
      );
    }
    if (status >= 500) {
      throw new AppError(
        'VAST_UNAVAILABLE',
        `Vast answered ${status} to ${label}. Vast may be having trouble; try again in a minute.`,
        details,
      );
    }
    if (status >= 400 || (status === 200 && isJson && err?.success && err.data.success === false)) {
      throw this.requestError(status, vastCode, vastMsg, options, details);
    }
    if (status < 200 || status >= 300) {
      throw new AppError(
        'VAST_UNAVAILABLE',
        `Vast answered an unexpected status ${status} to ${label}.`,
        details,
      );
    }
    if (!isJson) {
      throw new AppError(
        'VAST_UNAVAILABLE',
        `Vast answered ${label} with something that is not JSON. Is the server URL (${this.baseUrl}) right?`,
        details,
      );
    }
    const parsed = options.schema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      throw new AppError(
        'VAST_UNAVAILABLE',
        `Vast's answer to ${label} has an unexpected shape (${where}). The API may have changed.`,
        details,
      );
    }
    return parsed.data;
  }

  private requestError(
    status: number,
    vastCode: string | undefined,
    vastMsg: string | undefined,
    options: { notFoundCodes?: readonly string[]; subject?: string },
    details: Record<string, unknown>,
  ): AppError {
    const subject = options.subject ?? 'the request';
    const said = this.redact(vastMsg ?? vastCode ?? `status ${status}`);
    let code: ErrorCode = 'VAST_REQUEST';
    let message = `Vast refused ${subject}: ${said}`;
    if (vastCode && AUTH_CODES.has(vastCode)) {
      code = 'VAST_AUTH';
      message = `Vast refused the API key for ${subject}: ${said}. Check the key and its permissions.`;
    } else if (vastCode && options.notFoundCodes?.includes(vastCode)) {
      code = 'NOT_FOUND';
      message = `Vast has no ${subject} (${said}). It may have been destroyed.`;
    } else if (vastCode === 'no_such_ask') {
      message = `That offer is no longer available (${said}). Search again and pick another one.`;
    } else if (vastCode === 'missing_billing') {
      message = `Vast needs billing set up on the account first (${said}).`;
    } else if (vastCode === 'label_too_long') {
      message = `The label is too long for Vast (${said}).`;
    }
    return new AppError(code, message.endsWith('.') ? message : `${message}.`, details);
  }

  private networkError(label: string, err: unknown): AppError {
    if (err instanceof TimeoutFailure) {
      return new AppError(
        'VAST_UNAVAILABLE',
        `Vast did not answer ${label} within ${Math.round(err.ms / 1000)} s. Check the network and try again.`,
      );
    }
    const cause =
      err instanceof Error
        ? ((err.cause as { code?: string } | undefined)?.code ?? err.message)
        : String(err);
    return new AppError(
      'VAST_UNAVAILABLE',
      `Could not reach Vast at ${this.baseUrl} (${this.redact(cause)}). Check the network or the server URL.`,
    );
  }

  private redact(text: string): string {
    return this.apiKey.length >= 4 ? text.split(this.apiKey).join('***') : text;
  }
}

function errorCode(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : '';
}

class TimeoutFailure extends Error {
  constructor(readonly ms: number) {
    super('timeout');
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('CANCELLED', 'Cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AppError('CANCELLED', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
