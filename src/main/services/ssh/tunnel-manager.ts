import { EventEmitter } from 'node:events';
import { AppError } from '../../../shared/errors';
import type { ConnectionPool, ConnectionLease } from './connection-pool';
import { Tunnel, type ForwardSpec, type TunnelOptions, type TunnelSnapshot } from './tunnel';
import type { SshTarget } from './target';

export interface ManagedTunnel extends TunnelSnapshot {
  target: SshTarget;
}

/**
 * Every open tunnel, each holding a lease on its target's shared connection. Emits `state` with a
 * ManagedTunnel whenever one changes state or its counters move.
 */
export class TunnelManager extends EventEmitter {
  private readonly tunnels = new Map<string, { tunnel: Tunnel; lease: ConnectionLease; target: SshTarget }>();

  constructor(
    private readonly pool: ConnectionPool,
    private readonly options: Partial<TunnelOptions> = {},
  ) {
    super();
  }

  /** `id` lets a tunnel restored after a restart keep the id it had. */
  open(target: SshTarget, spec: Partial<ForwardSpec> & { remotePort: number }, id?: string): Tunnel {
    const full: ForwardSpec = {
      remoteHost: spec.remoteHost ?? '127.0.0.1',
      remotePort: spec.remotePort,
      localPort: spec.localPort ?? 0,
    };
    const clash = [...this.tunnels.values()].find(
      (t) => full.localPort !== 0 && t.tunnel.spec.localPort === full.localPort,
    );
    if (clash) {
      throw new AppError(
        'CONFLICT',
        `Local port ${full.localPort} is already used by another tunnel (to port ${clash.tunnel.spec.remotePort}). Choose another local port or 0.`,
      );
    }
    if (id !== undefined && this.tunnels.has(id)) {
      throw new AppError('CONFLICT', `A tunnel with id ${id} is already open.`);
    }
    const lease = this.pool.acquire(target);
    const tunnel = new Tunnel(lease.connection, full, this.options, id);
    this.tunnels.set(tunnel.id, { tunnel, lease, target: { ...target } });
    const announce = (snapshot: TunnelSnapshot): void => {
      this.emit('state', { ...snapshot, target: { ...target } } satisfies ManagedTunnel);
    };
    tunnel.on('state', announce);
    tunnel.on('stats', announce);
    tunnel.start();
    return tunnel;
  }

  get(id: string): Tunnel {
    const entry = this.tunnels.get(id);
    if (!entry) throw new AppError('NOT_FOUND', `No tunnel with id ${id}; it may have been closed.`);
    return entry.tunnel;
  }

  list(): ManagedTunnel[] {
    return [...this.tunnels.values()].map((e) => ({ ...e.tunnel.snapshot(), target: { ...e.target } }));
  }

  async close(id: string): Promise<void> {
    const entry = this.tunnels.get(id);
    if (!entry) throw new AppError('NOT_FOUND', `No tunnel with id ${id}; it may have been closed.`);
    this.tunnels.delete(id);
    await entry.tunnel.close();
    entry.lease.release();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.tunnels.keys()].map((id) => this.close(id)));
  }
}
