import { join } from 'node:path';
import { AppKeyStore } from './app-key';
import { ConnectionPool } from './connection-pool';
import { execArgv, type ExecOptions, type ExecResult } from './exec-channel';
import { KnownHosts, type HostKeyPolicy, type KnownHostEntry } from './known-hosts';
import { openSshCommand, type OpenSshCommandOptions, type OpenSshForward } from './openssh-command';
import { SshConnection, type ConnectionOptions, type ConnectionSnapshot } from './ssh-connection';
import type { ShellOptions } from './shell-session';
import { TerminalManager } from './terminal-manager';
import { TunnelManager } from './tunnel-manager';
import type { TunnelOptions } from './tunnel';
import { targetKey, type SshTarget } from './target';
import type { ConnectionLease } from './connection-pool';

export interface SshServiceOptions {
  /** The app's data folder; the key and known hosts go into its `ssh/` subfolder. */
  dataDir: string;
  /** Read for SSH_AUTH_SOCK. */
  env?: Record<string, string | undefined>;
  /**
   * Chooses, per target, what happens to a host key seen for the first time. Default: accept-new
   * for every target (right for local runs); return a function to ask the UI instead.
   */
  hostKeyPolicy?: (target: SshTarget) => HostKeyPolicy;
  connection?: Partial<ConnectionOptions>;
  shell?: Partial<ShellOptions>;
  tunnel?: Partial<TunnelOptions>;
}

/**
 * The SSH side of the app in one place: the app key, known hosts, the shared connection pool,
 * terminals and tunnels. Handlers and CLI commands use this; the pieces stay separate inside.
 */
export class SshService {
  readonly keys: AppKeyStore;
  readonly knownHosts: KnownHosts;
  readonly pool: ConnectionPool;
  readonly terminals: TerminalManager;
  readonly tunnels: TunnelManager;
  /** Leases taken by connect() on behalf of a view, released by disconnect(). */
  private readonly held = new Map<string, ConnectionLease>();

  constructor(private readonly options: SshServiceOptions) {
    const dir = join(options.dataDir, 'ssh');
    this.keys = new AppKeyStore(dir);
    this.knownHosts = new KnownHosts(join(dir, 'known-hosts.json'));
    const env = options.env ?? process.env;
    const agentSocket = env.SSH_AUTH_SOCK || undefined;
    this.pool = new ConnectionPool(
      (target) =>
        new SshConnection(
          target,
          {
            appKey: () => this.keys.get(),
            agentSocket,
            knownHosts: this.knownHosts,
            hostKeyPolicy: options.hostKeyPolicy?.(target) ?? 'accept-new',
          },
          options.connection,
        ),
    );
    this.terminals = new TerminalManager(this.pool, options.shell);
    this.tunnels = new TunnelManager(this.pool, options.tunnel);
  }

  /** The line to put into authorized_keys (and Vast's account keys). */
  async publicKey(): Promise<string> {
    return (await this.keys.get()).publicKey;
  }

  /** Connects (or joins the shared connection) and keeps it until disconnect(). */
  async connect(target: SshTarget, signal?: AbortSignal): Promise<ConnectionSnapshot> {
    const key = targetKey(target);
    let lease = this.held.get(key);
    if (!lease) {
      lease = this.pool.acquire(target);
      this.held.set(key, lease);
    }
    try {
      await lease.connection.whenUp(signal);
    } catch (err) {
      if (this.held.get(key) === lease) this.held.delete(key);
      lease.release();
      throw err;
    }
    return lease.connection.snapshot();
  }

  /** Lets go of the connection connect() kept; it closes once nothing else uses it. */
  disconnect(target: SshTarget): void {
    const key = targetKey(target);
    this.held.get(key)?.release();
    this.held.delete(key);
  }

  connections(): (ConnectionSnapshot & { users: number })[] {
    return this.pool.list().map((e) => ({ ...e.connection.snapshot(), users: e.refs }));
  }

  /**
   * Probes every live connection and reconnects the dead ones at once, instead of waiting for
   * keepalive (up to 30 s). Call it when the OS reports a resume from sleep or a network change
   * (Electron's powerMonitor 'resume', for one).
   */
  async checkConnections(): Promise<void> {
    await Promise.all(this.pool.list().map((e) => e.connection.probeNow()));
  }

  /** Runs argv on the target over an exec channel of the shared connection. */
  async exec(target: SshTarget, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const lease = this.pool.acquire(target);
    try {
      const client = await lease.connection.whenUp(options.signal);
      return await execArgv(client, argv, options);
    } finally {
      lease.release();
    }
  }

  async sshCommand(
    target: SshTarget,
    forwards: OpenSshForward[] = [],
    options: Omit<OpenSshCommandOptions, 'identityFile'> = {},
  ): Promise<string> {
    const key = await this.keys.get();
    return openSshCommand(target, forwards, { ...options, identityFile: key.privateKeyPath });
  }

  listKnownHosts(): Promise<KnownHostEntry[]> {
    return this.knownHosts.list();
  }

  acceptHostKey(host: string, port: number, fingerprint: string): Promise<KnownHostEntry> {
    return this.knownHosts.acceptNewKey(host, port, fingerprint);
  }

  async dispose(): Promise<void> {
    this.terminals.closeAll();
    await this.tunnels.closeAll();
    for (const lease of this.held.values()) lease.release();
    this.held.clear();
    this.pool.closeAll();
  }
}
