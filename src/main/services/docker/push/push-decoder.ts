import type { PushLayerProgressData } from '../../../../shared/contract/builds';

/** One JSON line of the engine's /images/{name}/push stream. */
export interface PushStreamEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export interface PushDecoderSink {
  layer(progress: PushLayerProgressData): void;
  log(line: string): void;
}

const DIGEST_LINE = /digest: (sha256:[0-9a-f]{64}) size: (\d+)/;

/**
 * The push stream: per-layer `status` events with an `id` (Preparing, Pushing with byte counts,
 * Pushed, Layer already exists), a final "<tag>: digest: sha256:… size: N" line and an aux with
 * the same. Like a build, a failure is an `error` event in the middle of a 200 response.
 */
export class PushDecoder {
  digest: string | null = null;
  size: number | null = null;
  failure: string | null = null;
  private readonly lastSent = new Map<string, { status: string; at: number }>();

  constructor(
    private readonly sink: PushDecoderSink,
    private readonly throttleMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  handle(event: PushStreamEvent): void {
    const error = event.errorDetail?.message ?? event.error;
    if (error) {
      this.failure ??= error;
      this.sink.log(`ERROR: ${error}`);
      return;
    }
    if (event.aux?.Digest) {
      this.digest = event.aux.Digest;
      if (typeof event.aux.Size === 'number') this.size = event.aux.Size;
    }
    if (typeof event.status !== 'string') return;
    if (event.id && event.status !== 'The push refers to repository') {
      this.layer(event.id, event.status, event.progressDetail);
      return;
    }
    const digest = DIGEST_LINE.exec(event.status);
    if (digest) {
      this.digest = digest[1] ?? this.digest;
      this.size = Number(digest[2]);
    }
    this.sink.log(event.id ? `${event.status} ${event.id}` : event.status);
  }

  private layer(id: string, status: string, detail: PushStreamEvent['progressDetail']): void {
    const at = this.now();
    const last = this.lastSent.get(id);
    // Byte counts arrive many times a second per layer; a state change always goes out.
    if (last && last.status === status && at - last.at < this.throttleMs) return;
    this.lastSent.set(id, { status, at });
    this.sink.layer({
      id,
      status,
      current: typeof detail?.current === 'number' ? detail.current : null,
      total: typeof detail?.total === 'number' ? detail.total : null,
    });
    if (status !== 'Pushing') this.sink.log(`${id}: ${status}`);
  }
}
