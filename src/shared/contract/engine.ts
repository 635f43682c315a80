import { z } from 'zod';
import { AppErrorShape } from '../errors';
import { call, event, NoInput } from './kit';

/** How the Docker endpoint was chosen, in the docker CLI's order. */
export const EndpointSource = z.enum(['DOCKER_HOST', 'context', 'default']);

export const DockerEndpoint = z.object({
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `npipe:////./pipe/docker_engine`. */
  url: z.string(),
  source: EndpointSource,
  /** The docker context it came from, when source is `context`. */
  context: z.string().nullable(),
  /** Why this endpoint, in one sentence a user can check. */
  reason: z.string(),
});

export const EngineFacts = z.object({
  version: z.string(),
  apiVersion: z.string(),
  os: z.string(),
  osType: z.string(),
  arch: z.string(),
  kernel: z.string(),
  cpus: z.number().int().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  images: z.number().int().nonnegative(),
  containers: z.number().int().nonnegative(),
  containersRunning: z.number().int().nonnegative(),
  storageDriver: z.string(),
  /** True when the engine can build with BuildKit (API 1.39+ and not disabled). */
  buildkit: z.boolean(),
  /** True when an `nvidia` runtime is registered with the engine. */
  nvidiaRuntime: z.boolean(),
});

/** The engine as the app last saw it: reachable with its facts, or unreachable with the reason. */
export const EngineStatus = z.discriminatedUnion('reachable', [
  z.object({
    reachable: z.literal(true),
    endpoint: DockerEndpoint,
    facts: EngineFacts,
    checkedAt: z.number(),
  }),
  z.object({
    reachable: z.literal(false),
    endpoint: DockerEndpoint,
    error: AppErrorShape,
    checkedAt: z.number(),
  }),
]);

export const engineCalls = {
  'engine:status': call(
    NoInput,
    EngineStatus,
    'The Docker engine in use: endpoint, version and counts, or why it cannot be reached.',
  ),
  'engine:refresh': call(
    NoInput,
    EngineStatus,
    'Ask the engine again now instead of waiting for the next check.',
  ),
} as const;

export const engineEvents = {
  'engine:statusChanged': event(
    EngineStatus,
    'The engine became reachable or unreachable, or its facts changed.',
  ),
} as const;
