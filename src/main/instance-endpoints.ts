import { AppError } from '../shared/errors';
import type { SshTarget } from './services/ssh';
import { sshEndpoint, VastClient, type VastConnection, type VastInstanceData } from './services/vast';

/** How long a looked-up endpoint is reused: each lookup is a Vast API call, and Vast rate-limits. */
const FRESH_MS = 30_000;

export interface InstanceEndpoint {
  target: SshTarget;
  /** The instance as last read, for its ports and public address. */
  instance: VastInstanceData;
}

/**
 * A Vast instance's SSH endpoint, found the way `vastai ssh-url` finds it (the same rule as the
 * terminal's target resolver) and remembered for a while, so a status watch every few seconds does
 * not become an API call every few seconds. forget() drops it when SSH to it fails (a restarted
 * instance can come back on other ports).
 */
export class InstanceEndpoints {
  private readonly cache = new Map<number, { at: number; endpoint: InstanceEndpoint }>();

  constructor(
    private readonly connection: () => Promise<VastConnection>,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(instanceId: number, signal?: AbortSignal): Promise<InstanceEndpoint> {
    const hit = this.cache.get(instanceId);
    if (hit && this.now() - hit.at < FRESH_MS) return hit.endpoint;
    const conn = await this.connection();
    const client = new VastClient({ apiKey: conn.apiKey, baseUrl: conn.baseUrl });
    const instance = await client.getInstance(instanceId, signal);
    const ssh = sshEndpoint(instance);
    if (!ssh || instance.actual_status !== 'running') {
      this.cache.delete(instanceId);
      throw new AppError(
        'CONFLICT',
        `Instance ${instanceId} is ${instance.actual_status ?? 'starting'}${ssh ? '' : ' and has no SSH endpoint yet'}. Wait until it runs, then look again.`,
      );
    }
    const endpoint = { target: { host: ssh.host, port: ssh.port, user: ssh.user }, instance };
    this.cache.set(instanceId, { at: this.now(), endpoint });
    return endpoint;
  }

  forget(instanceId: number): void {
    this.cache.delete(instanceId);
  }
}

/** Where an instance publishes a container port: `http://<public ip>:<host port>`, or null. */
export function publishedUrl(instance: VastInstanceData, containerPort: number, path = '/'): string | null {
  const hostPort = instance.ports?.[`${containerPort}/tcp`]?.[0]?.HostPort;
  const ip = instance.public_ipaddr?.trim();
  if (!ip || hostPort === null || hostPort === undefined || !Number(hostPort)) return null;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  return `http://${host}:${Number(hostPort)}${path.startsWith('/') ? path : `/${path}`}`;
}
