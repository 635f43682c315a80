import type Docker from 'dockerode';
import type { BuildParamsData, BuildResultData, BuilderKindData } from '../../../../shared/contract/builds';
import { AppError } from '../../../../shared/errors';
import { compareApiVersions } from '../engine';
import { packBuildContext } from './build-context';
import type { BuildStreamDecoder, BuildStreamEvent } from './build-stream';
import { BuildkitBuildDecoder } from './buildkit-decoder';
import { ClassicBuildDecoder } from './classic-decoder';
import { StepTracker, type BuildModelSink } from './step-tracker';
import { readJsonLines } from './json-lines';
import { missingBaseAdvice, missingBaseImage } from './missing-base';

export interface BuildRunOptions {
  signal?: AbortSignal;
  sink: BuildModelSink;
  /** The builder is chosen and the context is being sent. */
  onStarted?: (info: { builder: BuilderKindData; contextBytes: number }) => void;
  env?: Record<string, string | undefined>;
}

/**
 * BuildKit when asked for, or for `auto` when the engine serves it (API 1.39+, a Linux daemon) and
 * DOCKER_BUILDKIT=0 does not turn it off, as the docker CLI decides.
 */
export async function chooseBuilder(
  docker: Docker,
  requested: BuildParamsData['builder'],
  env: Record<string, string | undefined> = process.env,
): Promise<BuilderKindData> {
  if (requested !== 'auto') return requested;
  if (env.DOCKER_BUILDKIT === '0') return 'classic';
  try {
    const version = await docker.version();
    const linux = String(version.Os ?? 'linux').toLowerCase() === 'linux';
    return linux && compareApiVersions(String(version.ApiVersion ?? ''), '1.39') >= 0
      ? 'buildkit'
      : 'classic';
  } catch {
    return 'classic';
  }
}

/**
 * Builds an image and decodes the engine's stream into steps, step-tagged log lines and the
 * result. Aborting the signal aborts the HTTP request, which makes the daemon cancel the build
 * (BuildKit stops its solve; the classic builder kills and removes its intermediate container).
 */
export async function runBuild(
  docker: Docker,
  params: BuildParamsData,
  options: BuildRunOptions,
): Promise<BuildResultData> {
  const started = Date.now();
  const { signal } = options;
  signal?.throwIfAborted();
  const builder = await chooseBuilder(docker, params.builder, options.env);
  const context = await packBuildContext(params.contextDir, params.dockerfile);
  options.onStarted?.({ builder, contextBytes: context.listing.bytes });

  const tracker = new StepTracker(options.sink);
  const decoder: BuildStreamDecoder =
    builder === 'buildkit' ? new BuildkitBuildDecoder(tracker) : new ClassicBuildDecoder(tracker);

  const buildOptions: Record<string, unknown> = {
    dockerfile: context.dockerfile,
    t: params.tags,
    buildargs: params.buildArgs,
    labels: params.labels,
    nocache: params.noCache,
    pull: params.pull,
    // The classic builder leaves intermediate containers behind on failure without forcerm.
    rm: true,
    forcerm: true,
    abortSignal: signal,
  };
  if (params.target) buildOptions.target = params.target;
  if (params.platform) buildOptions.platform = params.platform;
  if (builder === 'buildkit') buildOptions.version = '2';

  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(context.tar, buildOptions as Docker.ImageBuildOptions);
  } catch (err) {
    if (signal?.aborted) throw cancelled();
    throw new AppError('BUILD_FAILED', `The engine refused the build: ${engineMessage(err)}`, {
      step: null,
      message: engineMessage(err),
    });
  }

  let brokenOff: unknown = null;
  try {
    await readJsonLines<BuildStreamEvent>(stream, (event) => decoder.handle(event));
  } catch (err) {
    brokenOff = err;
  }
  const outcome = signal?.aborted ? 'cancelled' : decoder.failure || brokenOff ? 'failed' : 'succeeded';
  decoder.finish(outcome);
  if (outcome === 'cancelled') throw cancelled();
  if (decoder.failure) {
    const { step, message } = decoder.failure;
    const missingBase = missingBaseImage(step, message);
    const said = step ? `The build failed at ${step}: ${message}` : `The build failed: ${message}`;
    throw new AppError('BUILD_FAILED', missingBase ? `${missingBaseAdvice(missingBase)} (${said})` : said, {
      step,
      message,
    });
  }
  if (brokenOff) {
    const message = engineMessage(brokenOff);
    throw new AppError('BUILD_FAILED', `The engine's build stream broke off: ${message}`, {
      step: null,
      message,
    });
  }
  if (!decoder.imageId) {
    throw new AppError('BUILD_FAILED', 'The engine ended the build without naming an image.', {
      step: null,
      message: 'no image id in the build stream',
    });
  }
  const image = await docker.getImage(decoder.imageId).inspect();
  return {
    imageId: image.Id,
    sizeBytes: Number(image.Size ?? 0),
    tags: params.tags.length > 0 ? params.tags : (image.RepoTags ?? []),
    builder,
    durationMs: Date.now() - started,
  };
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'The build was cancelled; the engine stopped it.');
}

/** dockerode puts the engine's JSON answer in `json`; its own message repeats the HTTP status. */
function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === 'string') return json.message;
  return err instanceof Error ? err.message : String(err);
}
