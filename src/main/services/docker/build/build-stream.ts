/** One JSON line of the engine's /build stream (both builders). */
export interface BuildStreamEvent {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: unknown;
  error?: string;
  errorDetail?: { code?: number; message?: string };
}

export interface BuildFailure {
  /** The failed step's name, when the failure belongs to one. */
  step: string | null;
  /** The daemon's message. */
  message: string;
}

/** Turns one builder's stream into the shared step/log model. */
export interface BuildStreamDecoder {
  handle(event: BuildStreamEvent): void;
  /** The stream ended: close what is still open according to how the build ended. */
  finish(outcome: 'succeeded' | 'failed' | 'cancelled'): void;
  readonly imageId: string | null;
  readonly failure: BuildFailure | null;
}

/**
 * A failed build is not an HTTP error: the engine sends `error`/`errorDetail` as one more event in
 * the middle of a 200 stream, so every event is looked at.
 */
export function streamError(event: BuildStreamEvent): string | null {
  // The stream is JSON from outside the app: a message of another type must not throw in a decoder.
  const detail: unknown = event.errorDetail;
  if (detail && typeof detail === 'object') {
    const message = (detail as { message?: unknown }).message;
    if (typeof message === 'string' && message.length > 0) return message;
  }
  if (typeof event.error === 'string' && event.error.length > 0) return event.error;
  return null;
}

export function auxImageId(aux: unknown): string | null {
  if (aux && typeof aux === 'object' && 'ID' in aux) {
    const id = (aux as { ID: unknown }).ID;
    if (typeof id === 'string' && id.length > 0) return id;
  }
  return null;
}
