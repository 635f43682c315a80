import type { z } from 'zod';
import type { buildCalls } from '../../shared/contract/builds';
import type { BuildService, PushService } from '../services/docker/index';

export interface BuildHandlerDeps {
  /** `new BuildService({ docker, operations, dataDir, onHistoryChanged })`. */
  builds: BuildService;
  /** `new PushService({ docker, operations, appCredentials })`. */
  pushes: PushService;
}

type Calls = typeof buildCalls;
/** Typed from this domain's calls, so it fits the dispatcher's Handlers once the contract spreads buildCalls. */
export type BuildHandlers = {
  [K in keyof Calls]: (args: z.output<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
};

export function createBuildHandlers(deps: BuildHandlerDeps): BuildHandlers {
  const { builds, pushes } = deps;
  return {
    'builds:start': async (params) => ({ operationId: builds.start(params).operationId }),
    'builds:rerun': async ({ id }) => ({ operationId: (await builds.rerun(id)).operationId }),
    'builds:cancel': async ({ id }) => {
      builds.cancel(id);
      return { ok: true as const };
    },
    'builds:history': ({ limit }) => builds.list(limit),
    'builds:log': ({ id, offset, limit }) => builds.readLog(id, offset, limit),
    'builds:args': ({ contextDir, dockerfile }) => builds.args(contextDir, dockerfile),
    'pushes:start': async (params) => ({ operationId: pushes.start(params).operationId }),
  };
}
