import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';

export interface FollowOutputOptions {
  /** The last lines to start with; all when omitted. */
  tail?: number;
  signal?: AbortSignal;
  onData: (text: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * Follows a container's own output until the container stops (the engine ends the stream) or the
 * signal aborts; resolves then, after the last text was handed over. Text is decoded per stream, so
 * a character split across two frames arrives whole. An engine failure rejects with its error.
 */
export async function followContainerOutput(
  docker: Docker,
  /** The container as inspected: its id, and whether it has a TTY (no stream frames then). */
  run: { Id: string; Config: { Tty: boolean } },
  opts: FollowOutputOptions,
): Promise<void> {
  let raw: NodeJS.ReadableStream & { destroy?: () => void };
  try {
    raw = (await docker.getContainer(run.Id).logs({
      follow: true,
      stdout: true,
      stderr: true,
      ...(opts.tail !== undefined ? { tail: Math.max(0, Math.min(opts.tail, 100_000)) } : {}),
      ...(opts.signal ? { abortSignal: opts.signal } : {}),
    })) as NodeJS.ReadableStream & { destroy?: () => void };
  } catch (err) {
    if (opts.signal?.aborted) return;
    throw err;
  }
  const sink = (stream: 'stdout' | 'stderr') => {
    const decoder = new StringDecoder('utf8');
    return new Writable({
      write(chunk: Buffer, _encoding, done) {
        const text = decoder.write(chunk);
        if (text) opts.onData(text, stream);
        done();
      },
      final(done) {
        const text = decoder.end();
        if (text) opts.onData(text, stream);
        done();
      },
    });
  };
  const out = sink('stdout');
  const err = run.Config.Tty ? out : sink('stderr');
  // Not pipe(): it would end the sink on its own, and the end below waits for it.
  if (run.Config.Tty) raw.on('data', (chunk: Buffer) => out.write(chunk));
  else docker.modem.demuxStream(raw, out, err);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (failure?: unknown) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure !== undefined) return reject(failure);
      // Resolve once the decoders have handed over what they held.
      const sinks = err === out ? [out] : [out, err];
      let open = sinks.length;
      for (const sink of sinks) sink.end(() => --open === 0 && resolve());
    };
    const onAbort = () => {
      raw.destroy?.();
      settle();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    raw.once('end', () => settle());
    raw.once('close', () => settle());
    raw.once('error', (e: unknown) => settle(opts.signal?.aborted ? undefined : e));
  });
}
