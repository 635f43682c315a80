// tstudio push IMAGE [--json]
import os from 'node:os';
import type { OperationEventData } from '../../../shared/types';
import type { PushLayerProgressData, PushResultData } from '../../../shared/contract/builds';
import { AppError } from '../../../shared/errors';
import { PushService, createDockerClient, resolveDockerEndpoint } from '../../services/docker';
import { OperationManager } from '../../services/operations';
import type { CliIo } from '../io';

export interface PushCommandOptions {
  /** `registry/name:tag` as tagged locally. */
  image: string;
  /** JSON lines: every operation event. */
  json?: boolean;
  /** The folder holding config.json (DOCKER_CONFIG or ~/.docker otherwise). */
  dockerConfigDir?: string;
  env?: Record<string, string | undefined>;
}

/**
 * Credentials come from ~/.docker/config.json like `docker push` (auths, credsStore, credHelpers)
 * and are checked against the registry first. Exit codes: 0 pushed, 1 failed, 130 cancelled.
 */
export async function runPush(options: PushCommandOptions, io: CliIo): Promise<number> {
  const env = options.env ?? process.env;
  const endpoint = resolveDockerEndpoint({ env, home: os.homedir(), platform: process.platform });
  const docker = createDockerClient(endpoint);
  const layerStates = new Map<string, string>();
  const operations = new OperationManager({
    event: (event: OperationEventData) => {
      if (options.json) return io.stdout(JSON.stringify(event) + '\n');
      if (event.type === 'log') io.stdout((event.data as { text: string }).text);
      if (event.type === 'push:layerProgressed') {
        // The log already names each state change; keep only the byte counts out of it.
        const layer = event.data as PushLayerProgressData;
        layerStates.set(layer.id, layer.status);
      }
    },
    stateChanged: () => undefined,
  });
  const pushes = new PushService({
    docker,
    operations,
    dockerConfig: { env, home: os.homedir(), configDir: options.dockerConfigDir },
  });
  let started;
  try {
    started = pushes.start({ image: options.image });
  } catch (err) {
    io.stderr(`error: ${AppError.from(err).message}\n`);
    return 1;
  }
  const onAbort = () => operations.cancel(started.operationId);
  if (io.signal?.aborted) onAbort();
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result: PushResultData = await started.done;
    if (!options.json)
      io.stdout(`Pushed ${result.image} (${layerStates.size} layers): ${result.pinnedReference}\n`);
    return 0;
  } catch (err) {
    const error = AppError.from(err);
    if (!options.json) io.stderr(`error: ${error.message}\n`);
    return error.code === 'CANCELLED' ? 130 : 1;
  } finally {
    io.signal?.removeEventListener('abort', onAbort);
    await operations.dispose();
  }
}
