import { EventEmitter } from 'node:events';
import { AppError } from '../../../shared/errors';
import { parseTargetAddress, targetKey, type ManagedTunnel, type SshService, type SshTarget } from '../ssh';
import { declaredTunnelPorts, tunnelOpenUrl } from './declared-ports';
import type { TargetDetails, TargetDetailsReader } from './target-details';
import type { TunnelApp, TunnelDefinition, TunnelDefinitionStore } from './tunnel-definitions';

/** A tunnel as the app shows it: the SSH side's state plus what the user named and which app it is. */
export interface TunnelView extends ManagedTunnel {
  /** The target as the user named it: run id, instance id or user@host:port. */
  targetRef: string;
  app: TunnelApp | null;
}

export interface TunnelsServiceOptions {
  ssh: SshService;
  /** Where definitions are kept; without one, tunnels are forgotten when the app ends. */
  store?: TunnelDefinitionStore;
  /** Run id, instance id or user@host:port -> address (a run's or instance's is looked up again). */
  resolveTarget: (ref: string) => Promise<SshTarget>;
  /** A run's or instance's env and declared ports; without it, declared ports are unknown. */
  targetDetails?: TargetDetailsReader;
  log?: (line: string) => void;
}

export interface OpenTunnelSpec {
  remotePort: number;
  remoteHost?: string;
  localPort?: number;
}

/** A definition that has no live tunnel: being restored, or one whose target no longer resolves. */
interface Placeholder {
  state: 'connecting' | 'failed';
  error: AppError | null;
}

/**
 * The user's tunnels: opens them on the SSH service, keeps their definitions on disk so they come
 * back after a restart (same id, same local port), opens every port a run or instance declares in
 * one go, and builds each app's Open URL (with the portal token, which never leaves main otherwise).
 * Emits `state` with a TunnelView.
 */
export class TunnelsService extends EventEmitter {
  private readonly definitions = new Map<string, TunnelDefinition>();
  private readonly placeholders = new Map<string, Placeholder>();
  /**
   * Saved definitions this app has not restored (the one-shot CLI never restores): written back
   * unchanged, so a CLI process never erases the desktop app's tunnels.
   */
  private dormant: Promise<Map<string, TunnelDefinition>> | null = null;
  private readonly log: (line: string) => void;
  private readonly onTunnel = (t: ManagedTunnel): void => this.follow(t);
  private disposed = false;

  constructor(private readonly options: TunnelsServiceOptions) {
    super();
    this.log = options.log ?? ((line) => console.error(line));
    options.ssh.tunnels.on('state', this.onTunnel);
  }

  list(): TunnelView[] {
    const live = this.options.ssh.tunnels.list().map((t) => this.view(t));
    const waiting = [...this.placeholders.entries()].flatMap(([id, p]) => {
      const def = this.definitions.get(id);
      return def ? [this.placeholderView(def, p)] : [];
    });
    return [...live, ...waiting];
  }

  /**
   * Opens a tunnel and remembers it. With `wait`, resolves once it is up and rejects if it fails
   * (the tunnel stays listed as failed until closed, as a restored one would).
   */
  async open(
    target: string | SshTarget,
    spec: OpenTunnelSpec,
    options: { wait?: boolean; app?: TunnelApp | null } = {},
  ): Promise<TunnelView> {
    const targetRef = typeof target === 'string' ? target.trim() : targetKey(target);
    const resolved = typeof target === 'string' ? await this.options.resolveTarget(targetRef) : target;
    const app = options.app !== undefined ? options.app : await this.appFor(targetRef, spec.remotePort);
    const id = await this.openResolved(targetRef, resolved, spec, app);
    const tunnel = this.options.ssh.tunnels.get(id);
    if (options.wait) {
      const up = await tunnel.whenUp();
      await this.recordBoundPort(id, up.localPort);
    }
    return this.view({ ...tunnel.snapshot(), target: resolved });
  }

  private async openResolved(
    targetRef: string,
    resolved: SshTarget,
    spec: OpenTunnelSpec,
    app: TunnelApp | null,
  ): Promise<string> {
    const tunnel = this.options.ssh.tunnels.open(resolved, spec);
    this.definitions.set(tunnel.id, {
      id: tunnel.id,
      targetRef,
      resolved: { ...resolved },
      remoteHost: tunnel.spec.remoteHost,
      remotePort: tunnel.spec.remotePort,
      localPort: tunnel.localPort ?? tunnel.spec.localPort,
      app,
      createdAt: Date.now(),
    });
    await this.persist();
    return tunnel.id;
  }

  /**
   * One tunnel per port the target declares (PORTAL_CONFIG apps on their internal ports, then its
   * other ports), skipping ports already tunnelled to the same address. Returns every declared
   * tunnel, new and old, once each is up or failed.
   */
  async openDeclared(targetRef: string): Promise<{ tunnels: TunnelView[]; warning: string | null }> {
    const ref = targetRef.trim();
    if (parseTargetAddress(ref)) {
      throw new AppError(
        'VALIDATION',
        `"${ref}" is an address; only a run or an instance declares ports. Open a tunnel per port instead.`,
      );
    }
    const resolved = await this.options.resolveTarget(ref);
    const details = await this.details(ref);
    const { ports, warning } = declaredTunnelPorts(details.env, details.ports);
    if (ports.length === 0) {
      throw new AppError(
        'NOT_FOUND',
        `${details.kind === 'run' ? 'Run' : 'Instance'} ${ref} declares no ports besides SSH (no PORTAL_CONFIG apps, no ports). Open a tunnel to a port by hand.`,
      );
    }
    const existing = this.options.ssh.tunnels.list();
    const tunnels = await Promise.all(
      ports.map(async (port) => {
        const open = existing.find(
          (t) =>
            targetKey(t.target) === targetKey(resolved) &&
            t.remotePort === port.remotePort &&
            t.remoteHost === '127.0.0.1',
        );
        if (open) return this.view(open);
        const id = await this.openResolved(ref, resolved, { remotePort: port.remotePort }, port.app);
        const tunnel = this.options.ssh.tunnels.get(id);
        const settled = await tunnel.whenUp().catch(() => tunnel.snapshot());
        await this.recordBoundPort(id, settled.localPort);
        return this.view({ ...tunnel.snapshot(), target: resolved });
      }),
    );
    return { tunnels, warning };
  }

  /**
   * Tries a saved tunnel again from scratch (resolve the target, bind the same local port): after a
   * failed restore, or a port that was taken and is free now. Answers at once; events follow.
   */
  async reopen(id: string): Promise<TunnelView> {
    const def = this.definitions.get(id);
    if (!def) throw new AppError('NOT_FOUND', `No tunnel with id ${id}; it may have been closed.`);
    if (!this.placeholders.has(id)) await this.options.ssh.tunnels.close(id).catch(() => undefined);
    this.placeholders.set(id, { state: 'connecting', error: null });
    this.emitPlaceholder(id);
    await this.restoreOne(def);
    const live = this.options.ssh.tunnels.list().find((t) => t.id === id);
    if (live) return this.view(live);
    const placeholder = this.placeholders.get(id);
    return this.placeholderView(def, placeholder ?? { state: 'failed', error: null });
  }

  /** Closes a tunnel and forgets its definition. */
  async close(id: string): Promise<void> {
    if (this.placeholders.has(id)) {
      this.placeholders.delete(id);
    } else {
      await this.options.ssh.tunnels.close(id);
    }
    this.definitions.delete(id);
    await this.persist();
  }

  /**
   * The URL the Open button goes to: the app's path on the local port, with `?token=` when the
   * target's env has OPEN_BUTTON_TOKEN. The token is read here, at the click, and reaches the
   * renderer only inside this URL.
   */
  async openUrl(id: string): Promise<string> {
    const tunnel = this.options.ssh.tunnels.get(id);
    const localPort = tunnel.localPort;
    if (tunnel.state !== 'up' || localPort === null) {
      throw new AppError(
        'CONFLICT',
        `The tunnel is ${tunnel.state}, not up; wait until it is up, then open it.`,
      );
    }
    const def = this.definitions.get(id);
    if (!def?.app) return tunnelOpenUrl(localPort, '/', null);
    let token: string | null = null;
    if (!parseTargetAddress(def.targetRef)) {
      const details = await this.details(def.targetRef);
      token = details.env.OPEN_BUTTON_TOKEN || null;
    }
    return tunnelOpenUrl(localPort, def.app.openPath, token);
  }

  /**
   * Reopens every saved tunnel on its old local port. A target that no longer resolves, or a port
   * now taken, leaves the tunnel listed as failed with the reason, never silently dropped.
   */
  async restore(): Promise<void> {
    const dormant = await this.loadDormant();
    // An app disposed while the file was being read restores nothing.
    if (this.disposed) return;
    const saved = [...dormant.values()];
    dormant.clear();
    for (const def of saved) {
      if (this.definitions.has(def.id)) continue;
      this.definitions.set(def.id, def);
      this.placeholders.set(def.id, { state: 'connecting', error: null });
    }
    for (const def of saved) this.emitPlaceholder(def.id);
    await Promise.all(saved.map((def) => this.restoreOne(def)));
  }

  /** Stops following the SSH side and waits for pending writes; definitions stay on disk. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.options.ssh.tunnels.off('state', this.onTunnel);
    await this.options.store?.flush();
  }

  private async restoreOne(def: TunnelDefinition): Promise<void> {
    let resolved: SshTarget;
    try {
      resolved = await this.options.resolveTarget(def.targetRef);
    } catch (err) {
      const cause = AppError.from(err);
      this.fail(
        def.id,
        new AppError(
          cause.code,
          `Could not reopen the tunnel to ${def.targetRef} port ${def.remotePort}: ${cause.message} Close it, or open it again once the target is back.`,
        ),
      );
      return;
    }
    if (this.disposed || !this.placeholders.has(def.id)) return;
    try {
      this.placeholders.delete(def.id);
      def.resolved = { ...resolved };
      this.options.ssh.tunnels.open(
        resolved,
        { remoteHost: def.remoteHost, remotePort: def.remotePort, localPort: def.localPort },
        def.id,
      );
    } catch (err) {
      this.fail(def.id, AppError.from(err));
      return;
    }
    await this.persist();
  }

  private fail(id: string, error: AppError): void {
    if (this.disposed) return;
    this.log(`tunnels: ${error.message}`);
    this.placeholders.set(id, { state: 'failed', error });
    this.emitPlaceholder(id);
  }

  private emitPlaceholder(id: string): void {
    const def = this.definitions.get(id);
    const p = this.placeholders.get(id);
    if (def && p) this.emit('state', this.placeholderView(def, p));
  }

  private details(ref: string): Promise<TargetDetails> {
    if (!this.options.targetDetails) {
      return Promise.reject(
        new AppError('NOT_FOUND', `What ${ref} declares cannot be read here; open its ports one by one.`),
      );
    }
    return this.options.targetDetails(ref);
  }

  /** Which PORTAL_CONFIG app a hand-opened tunnel reaches, when the target is a run or instance. */
  private async appFor(targetRef: string, remotePort: number): Promise<TunnelApp | null> {
    if (parseTargetAddress(targetRef)) return null;
    try {
      const details = await this.details(targetRef);
      return declaredTunnelPorts(details.env, []).ports.find((p) => p.remotePort === remotePort)?.app ?? null;
    } catch {
      return null;
    }
  }

  private follow(t: ManagedTunnel): void {
    if (this.disposed) return;
    if (t.localPort !== null) void this.recordBoundPort(t.id, t.localPort);
    this.emit('state', this.view(t));
  }

  /** Keeps the port actually bound, so a restart reopens the tunnel where bookmarks point. */
  private async recordBoundPort(id: string, localPort: number | null): Promise<void> {
    const def = this.definitions.get(id);
    if (!def || localPort === null || def.localPort === localPort) return;
    def.localPort = localPort;
    await this.persist();
  }

  private loadDormant(): Promise<Map<string, TunnelDefinition>> {
    this.dormant ??= (this.options.store?.load() ?? Promise.resolve([])).then(
      (saved) => new Map(saved.map((d) => [d.id, d])),
    );
    return this.dormant;
  }

  private async persist(): Promise<void> {
    const dormant = await this.loadDormant();
    const all = [
      ...this.definitions.values(),
      ...[...dormant.values()].filter((d) => !this.definitions.has(d.id)),
    ];
    await this.options.store?.save(all);
  }

  private view(t: ManagedTunnel): TunnelView {
    const def = this.definitions.get(t.id);
    return { ...t, targetRef: def?.targetRef ?? targetKey(t.target), app: def?.app ?? null };
  }

  private placeholderView(def: TunnelDefinition, p: Placeholder): TunnelView {
    return {
      id: def.id,
      target: { ...def.resolved },
      targetRef: def.targetRef,
      app: def.app,
      state: p.state,
      remoteHost: def.remoteHost,
      remotePort: def.remotePort,
      requestedLocalPort: def.localPort,
      localPort: null,
      activeConnections: 0,
      totalConnections: 0,
      bytesOut: 0,
      bytesIn: 0,
      error: p.error ? { code: p.error.code, message: p.error.message } : null,
    };
  }
}
