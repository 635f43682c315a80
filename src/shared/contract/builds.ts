import { z } from 'zod';
import { AppErrorShape } from '../errors';
import { call, event } from './kit';
import { OperationId } from './operations';

/** Which builder ran (or should run) a build. `auto` picks BuildKit when the engine offers it. */
export const BuilderKind = z.enum(['buildkit', 'classic']);

/** What a build is asked to do; kept in the history so "re-run" repeats it exactly. */
export const BuildParams = z
  .object({
    /** Absolute path of the build context (the template's image folder). */
    contextDir: z.string().min(1),
    /** The Dockerfile, relative to contextDir. */
    dockerfile: z.string().min(1).default('Dockerfile'),
    /** Image references to tag the result with (`name:tag`); the first is the main one. */
    tags: z.array(z.string().min(1)).default([]),
    /** `--build-arg` values; remembered per context folder. */
    buildArgs: z.record(z.string(), z.string()).default({}),
    /** The stage to stop at (`--target`). */
    target: z.string().min(1).optional(),
    /** `linux/amd64`, `linux/arm64`… (`--platform`). */
    platform: z.string().min(1).optional(),
    noCache: z.boolean().default(false),
    /** Always try to pull newer base images (`--pull`). */
    pull: z.boolean().default(false),
    /** Labels put on the image (`--label`). */
    labels: z.record(z.string(), z.string()).default({}),
    builder: z.enum(['auto', 'buildkit', 'classic']).default('auto'),
  })
  .strict();

export const BuildStepState = z.enum(['pending', 'running', 'cached', 'done', 'failed']);

/**
 * One step of a build, the same for both builders. BuildKit steps are its vertexes (including the
 * `[internal] …` ones the docker CLI shows); classic steps are the `Step n/N : …` lines.
 */
export const BuildStep = z.object({
  /** Order of first appearance, from 0; stable for the whole build. */
  index: z.number().int().nonnegative(),
  /** As the builder names it: `[2/5] RUN pip install …` or `RUN pip install …`. */
  name: z.string(),
  state: BuildStepState,
  /** Epoch ms; BuildKit's come from the daemon's clock. */
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  /** The builder's message when the step failed. */
  error: z.string().nullable(),
});

/** A run of complete log lines from one step (`step` null: the builder's own lines). */
export const BuildLogSegment = z.object({
  step: z.number().int().nonnegative().nullable(),
  /** One or more complete lines, each ending with "\n". May hold ANSI colour codes. */
  text: z.string(),
});

/** What a successful build produced. */
export const BuildResult = z.object({
  imageId: z.string(),
  sizeBytes: z.number().nonnegative(),
  tags: z.array(z.string()),
  builder: BuilderKind,
  durationMs: z.number().nonnegative(),
});

/**
 * The domain events of a `build` operation (OperationEvent.type -> data). They travel inside
 * `operation:updated`, so the replay buffer gives a view that comes back the whole story.
 */
export const BuildOperationEvents = {
  /** The builder was chosen and the context sent. */
  'build:started': z.object({ builder: BuilderKind, params: BuildParams, contextBytes: z.number() }),
  /** A step appeared or changed state. `totalSteps` is what is known so far (for the progress bar). */
  'build:stepChanged': z.object({ step: BuildStep, totalSteps: z.number().int().nonnegative() }),
  /** Log lines, tagged with their step, coalesced (about 16 ms or 64 KB per event). */
  'build:logged': z.object({ segments: z.array(BuildLogSegment) }),
  /** The image exists. The operation's result carries the same. */
  'build:imageBuilt': BuildResult,
} as const;

export const BuildOutcome = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']);

/** One build in the history (kept across restarts; the newest 200). */
export const BuildRecord = z.object({
  /** The build's operation id; also names its log file. */
  id: OperationId,
  params: BuildParams,
  builder: BuilderKind.nullable(),
  /** `interrupted`: the app stopped while the build ran. */
  outcome: BuildOutcome,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  imageId: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  steps: z.array(BuildStep),
  error: AppErrorShape.nullable(),
  /** Bytes of log on disk. */
  logBytes: z.number().nonnegative(),
});

/** An ARG of the Dockerfile, for the build form. */
export const DockerfileArg = z.object({
  name: z.string(),
  /** The default written in the Dockerfile; null when it has none. */
  defaultValue: z.string().nullable(),
  /** The stage it belongs to (its name or its index as a string); null for ARGs before the first FROM. */
  stage: z.string().nullable(),
  /** 1-based line. */
  line: z.number().int().positive(),
});

export const DockerfileStage = z.object({
  index: z.number().int().nonnegative(),
  /** `AS name`, or null. */
  name: z.string().nullable(),
  /** The FROM image as written. */
  from: z.string(),
  line: z.number().int().positive(),
});

/** How a registry is logged in to for a push. */
export const RegistryCredentials = z.object({ username: z.string().min(1), password: z.string().min(1) });

export const PushParams = z
  .object({
    /** `registry/name:tag` as tagged locally. Without a tag, `latest`. */
    image: z.string().min(1),
    /** Credentials entered in the app; when absent, ~/.docker/config.json (auths, credsStore, credHelpers). */
    credentials: RegistryCredentials.optional(),
    /** How long the credential check may take (ms). */
    authTimeoutMs: z.number().int().positive().max(120_000).default(10_000),
  })
  .strict();

export const PushLayerProgress = z.object({
  /** Short layer id as the engine names it. */
  id: z.string(),
  /** `Preparing`, `Waiting`, `Pushing`, `Pushed`, `Layer already exists`, `Mounted from …`. */
  status: z.string(),
  current: z.number().nullable(),
  total: z.number().nullable(),
});

export const PushResult = z.object({
  image: z.string(),
  /** The manifest digest the registry reported: `sha256:…`. */
  digest: z.string(),
  /** `registry/name@sha256:…`, what to pull to get exactly this image. */
  pinnedReference: z.string(),
  sizeBytes: z.number().nullable(),
  /** Where the credentials came from. */
  credentialSource: z.enum(['app', 'docker-config', 'credential-helper', 'none']),
});

/** The domain events of a `push` operation (OperationEvent.type -> data). */
export const PushOperationEvents = {
  /** The registry accepted the credentials (or needs none); the push starts. */
  'push:authenticated': z.object({
    registry: z.string(),
    credentialSource: PushResult.shape.credentialSource,
  }),
  /** A layer's state or byte count changed (throttled per layer while Pushing). */
  'push:layerProgressed': PushLayerProgress,
  /** The registry holds the image. The operation's result carries the same. */
  'push:pushed': PushResult,
} as const;

export const buildCalls = {
  'builds:start': call(
    BuildParams,
    z.object({ operationId: OperationId }),
    'Start a build as an operation; its steps, log and result arrive as operation events. Build args are remembered for the folder.',
  ),
  'builds:rerun': call(
    z.object({ id: OperationId }).strict(),
    z.object({ operationId: OperationId }),
    'Start a new build with the same parameters as a build in the history.',
  ),
  'builds:cancel': call(
    z.object({ id: OperationId }).strict(),
    z.object({ ok: z.literal(true) }),
    'Cancel a running build: the request to the engine is aborted, which stops the build in the daemon.',
  ),
  'builds:history': call(
    z.object({ limit: z.number().int().positive().max(200).default(200) }).strict(),
    z.array(BuildRecord),
    'Past and running builds, newest first, as kept on disk across restarts.',
  ),
  'builds:log': call(
    z
      .object({
        id: OperationId,
        /** Byte offset to start at; 0 for the beginning. */
        offset: z.number().int().nonnegative().default(0),
        /** At most this many bytes (cut back to a line end unless at the end of the log). */
        limit: z
          .number()
          .int()
          .positive()
          .max(4 * 1024 * 1024)
          .default(256 * 1024),
      })
      .strict(),
    z.object({
      text: z.string(),
      offset: z.number().int().nonnegative(),
      /** Where the next page starts; equals totalBytes at the end. */
      nextOffset: z.number().int().nonnegative(),
      totalBytes: z.number().int().nonnegative(),
      /** False while the build still writes to it. */
      complete: z.boolean(),
    }),
    "A page of a build's full log from disk.",
  ),
  'builds:args': call(
    z.object({ contextDir: z.string().min(1), dockerfile: z.string().min(1).default('Dockerfile') }).strict(),
    z.object({
      args: z.array(DockerfileArg),
      stages: z.array(DockerfileStage),
      /** The values used by the last build of this folder. */
      remembered: z.record(z.string(), z.string()),
    }),
    "The Dockerfile's ARGs with their defaults and the folder's remembered values, and its stages (for target).",
  ),
  'pushes:start': call(
    PushParams,
    z.object({ operationId: OperationId }),
    'Check the credentials against the registry (fails fast with REGISTRY_AUTH), then push with progress per layer.',
  ),
} as const;

export const buildEvents = {
  'builds:historyChanged': event(
    z.object({ record: BuildRecord }),
    'A build started or ended; its history record as now stored.',
  ),
} as const;

export type BuildParamsInput = z.input<typeof BuildParams>;
export type BuildParamsData = z.output<typeof BuildParams>;
export type BuilderKindData = z.output<typeof BuilderKind>;
export type BuildStepData = z.output<typeof BuildStep>;
export type BuildLogSegmentData = z.output<typeof BuildLogSegment>;
export type BuildResultData = z.output<typeof BuildResult>;
export type BuildRecordData = z.output<typeof BuildRecord>;
export type DockerfileArgData = z.output<typeof DockerfileArg>;
export type DockerfileStageData = z.output<typeof DockerfileStage>;
export type RegistryCredentialsData = z.output<typeof RegistryCredentials>;
export type PushParamsInput = z.input<typeof PushParams>;
export type PushParamsData = z.output<typeof PushParams>;
export type PushLayerProgressData = z.output<typeof PushLayerProgress>;
export type PushResultData = z.output<typeof PushResult>;
