import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { LocalRunService } from '../launch';
import { VastClient, extraEnvObject, type VastConnection } from '../vast';

/** What a run or an instance declares: its environment and the TCP ports it asked for. */
export interface TargetDetails {
  kind: 'run' | 'instance';
  env: Record<string, string>;
  ports: number[];
}

export type TargetDetailsReader = (ref: string, signal?: AbortSignal) => Promise<TargetDetails>;

export interface TargetDetailsDeps {
  runs: LocalRunService;
  docker: Docker;
  vast?: () => Promise<VastConnection>;
}

/**
 * Reads a target's declarations where they live: a local run's from its container (docker inspect:
 * the env as the container got it, the ports it published), a Vast instance's from the instance
 * (extra_env and the ports Vast mapped). Values may hold OPEN_BUTTON_TOKEN: keep them in main.
 */
export function createTargetDetailsReader(deps: TargetDetailsDeps): TargetDetailsReader {
  return async (ref, signal) => {
    const id = ref.trim();
    const run = await deps.runs.get(id).catch((err: unknown) => {
      if (AppError.from(err).code !== 'NOT_FOUND' || !/^\d+$/.test(id) || !deps.vast) throw err;
      return null;
    });
    if (run) {
      const inspected = await deps.docker.getContainer(run.containerId).inspect();
      return { kind: 'run', env: envRecord(inspected.Config.Env), ports: tcpPorts(Object.keys(run.ports)) };
    }
    const conn = await (deps.vast as () => Promise<VastConnection>)();
    const client = new VastClient({ apiKey: conn.apiKey, baseUrl: conn.baseUrl });
    const instance = await client.getInstance(Number(id), signal);
    const env = extraEnvObject(instance.extra_env);
    // Vast carries port requests in the env bag as "-p A:B" keys; the mapped ports exist only while running.
    const requested = Object.keys(env)
      .map((k) => /^-p\s+(?:\d+:)?(\d+)(?:\/tcp)?$/.exec(k)?.[1])
      .filter((p): p is string => p !== undefined)
      .map(Number);
    return {
      kind: 'instance',
      env,
      ports: [...new Set([...requested, ...tcpPorts(Object.keys(instance.ports ?? {}))])],
    };
  };
}

function envRecord(list: readonly string[] | null | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of list ?? []) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** `["22/tcp", "8000/tcp", "9000/udp"]` -> [22, 8000]. */
function tcpPorts(keys: readonly string[]): number[] {
  return keys
    .map((k) => /^(\d+)(?:\/tcp)?$/.exec(k)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
}
