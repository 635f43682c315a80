import { AppError } from '../shared/errors';
import type { SshTargetResolver } from './handlers/ssh';
import type { LocalRunService } from './services/launch';
import { VastClient, sshEndpoint, type VastConnection } from './services/vast';

export interface TargetResolverDeps {
  runs: LocalRunService;
  /** The Vast account in use (stored key or sandbox); absent where Vast is not configured. */
  vast?: () => Promise<VastConnection>;
}

/**
 * Turns what a user types or clicks (a local run's id, a Vast instance's id) into an SSH target.
 * A local run is reached on its published 22/tcp on 127.0.0.1; a Vast instance by the rule the
 * vast CLI's ssh-url uses (direct port when published, else the proxy, +1 for jupyter runtypes).
 */
export function createTargetResolver(deps: TargetResolverDeps): SshTargetResolver {
  return async (ref, signal) => {
    const trimmed = ref.trim();
    if (/^[0-9a-f]{4,64}$/i.test(trimmed) && !/^\d+$/.test(trimmed)) return runTarget(deps.runs, trimmed);
    if (/^\d+$/.test(trimmed)) {
      // All digits: a Vast instance id, unless a run's id happens to be all digits.
      const run = await deps.runs.get(trimmed).catch(() => null);
      if (run) return runTarget(deps.runs, trimmed);
      if (!deps.vast)
        throw new AppError('NOT_FOUND', `No local run ${trimmed}, and no Vast account is configured.`);
      const conn = await deps.vast();
      const client = new VastClient({ apiKey: conn.apiKey, baseUrl: conn.baseUrl });
      const instance = await client.getInstance(Number(trimmed), signal);
      const endpoint = sshEndpoint(instance);
      if (!endpoint) {
        throw new AppError(
          'CONFLICT',
          `Instance ${trimmed} has no SSH endpoint yet (it is ${instance.actual_status ?? 'starting'}). Wait until it runs.`,
        );
      }
      return { host: endpoint.host, port: endpoint.port, user: endpoint.user };
    }
    return runTarget(deps.runs, trimmed);
  };
}

async function runTarget(runs: LocalRunService, id: string) {
  const run = await runs.get(id);
  if (!run.ssh) {
    throw new AppError(
      'CONFLICT',
      `Run ${run.id} is in args mode, which starts no sshd (as on Vast). Use a docker exec terminal instead.`,
    );
  }
  return { host: run.ssh.host, port: run.ssh.port, user: run.ssh.user };
}
