import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type Docker from 'dockerode';
import ignore from '@balena/dockerignore';
import { pack } from 'tar-fs';
import { AppError } from '../../../shared/errors';

export interface FolderBuildOptions {
  labels?: Record<string, string>;
  buildArgs?: Record<string, string>;
  signal?: AbortSignal;
  /** Build output as the engine streams it. */
  onLog?: (text: string) => void;
}

/**
 * Builds an image folder (Dockerfile + context, honouring .dockerignore) with the classic builder.
 * A failed step does not fail dockerode's stream: it arrives as an event with `error`/`errorDetail`
 * in the middle, so every event is inspected.
 */
export async function buildImageFromFolder(
  docker: Docker,
  dir: string,
  tag: string,
  opts: FolderBuildOptions = {},
): Promise<void> {
  opts.signal?.throwIfAborted();
  const ig = ignore({});
  try {
    ig.add((await readFile(join(dir, '.dockerignore'), 'utf8')).split(/\r?\n/));
  } catch {
    // No .dockerignore: everything goes.
  }
  const context = pack(dir, {
    ignore: (name: string) => {
      const rel = relative(dir, name).split(sep).join('/');
      // The Dockerfile is always sent, as the docker CLI does, even when ignored.
      return rel !== '' && rel !== 'Dockerfile' && ig.ignores(rel);
    },
  });
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(
      context as unknown as NodeJS.ReadableStream,
      {
        t: tag,
        ...(opts.labels ? { labels: opts.labels } : {}),
        ...(opts.buildArgs ? { buildargs: opts.buildArgs } : {}),
        rm: true,
        forcerm: true,
        abortSignal: opts.signal,
      } as Docker.ImageBuildOptions,
    );
  } catch (err) {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The build was cancelled.');
    throw new AppError('BUILD_FAILED', `The engine refused to build ${dir}: ${(err as Error).message}`);
  }
  let failure: string | null = null;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err) => (err ? reject(err) : resolve()),
      (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.error || event.errorDetail)
          failure = event.errorDetail?.message ?? event.error ?? 'unknown build error';
        const text = event.stream ?? (event.status ? `${event.status}\n` : '');
        if (text) opts.onLog?.(text);
        if (failure) opts.onLog?.(`${failure}\n`);
      },
    );
  }).catch((err: unknown) => {
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The build was cancelled.');
    throw new AppError('BUILD_FAILED', `The build of ${dir} broke off: ${(err as Error).message}`);
  });
  if (opts.signal?.aborted) throw new AppError('CANCELLED', 'The build was cancelled.');
  if (failure) throw new AppError('BUILD_FAILED', `The build of ${tag} failed: ${String(failure).trim()}`);
}
