import { EventEmitter } from 'node:events';
import { Client, type AnyAuthMethod, type AuthenticationType, type ConnectConfig } from 'ssh2';
import { connectNoDelay } from './connect-no-delay';
import { AppError } from '../../../shared/errors';
import type { AppKey } from './app-key';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import {
  hostKeyMismatchError,
  hostKeyUnknownError,
  type HostKeyPolicy,
  type KnownHosts,
} from './known-hosts';
import { describeTarget, type SshTarget } from './target';

export type ConnectionState = 'idle' | 'connecting' | 'up' | 'retrying' | 'failed';

export interface ConnectionSnapshot {
  target: SshTarget;
  state: ConnectionState;
  /** How the last successful login was made. */
  authMethod: 'agent' | 'publickey' | null;
  /** Reconnect attempts since the connection was last up. */
  attempt: number;
  /** When the next attempt starts (ms since epoch), while retrying. */
  nextAttemptAt: number | null;
  upSince: number | null;
  error: { code: string; message: string } | null;
}

export interface ConnectionOptions {
  /** ssh2's keepalive: a ping every this many ms (OpenSSH's ServerAliveInterval). 0 disables. */
  keepaliveIntervalMs: number;
  /** Unanswered pings before the connection is declared dead (ServerAliveCountMax). */
  keepaliveCountMax: number;
  /** Handshake deadline per attempt. */
  readyTimeoutMs: number;
  backoff: BackoffOptions;
  /** Attempts before the first success; sshd in a fresh container often drops the very first TCP connect. */
  initialAttempts: number;
  /** Attempts after a connection that had been up drops; Infinity keeps trying until closed. */
  reconnectAttempts: number;
  /** A timer that fires this much later than asked means the machine slept: probe the link at once. */
  sleepCheckMs: number;
  /** How long whenUp() waits for a connection that is retrying before giving up (ms). */
  waitTimeoutMs: number;
}

export const DEFAULT_CONNECTION_OPTIONS: ConnectionOptions = {
  keepaliveIntervalMs: 10_000,
  keepaliveCountMax: 3,
  readyTimeoutMs: 20_000,
  backoff: DEFAULT_BACKOFF,
  initialAttempts: 4,
  reconnectAttempts: Infinity,
  sleepCheckMs: 5_000,
  waitTimeoutMs: 60_000,
};

/** What a connection authenticates with and how it checks host keys. */
export interface ConnectionAuth {
  appKey: () => Promise<AppKey>;
  /** SSH_AUTH_SOCK, tried before the app key like OpenSSH tries agent keys first. */
  agentSocket?: string;
  knownHosts: KnownHosts;
  hostKeyPolicy: HostKeyPolicy;
}

/**
 * One SSH connection and only that: connect, keep alive, notice when it died (keepalive timeout,
 * a socket error, the machine waking from sleep) and reconnect with exponential backoff and jitter.
 * Shells, exec channels and tunnels live on top and follow its `state` events.
 */
export class SshConnection extends EventEmitter {
  private stateValue: ConnectionState = 'idle';
  private clientValue: Client | null = null;
  private attempt = 0;
  private everUp = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private sleepTimer: NodeJS.Timeout | null = null;
  private nextAttemptAt: number | null = null;
  private upSince: number | null = null;
  private authMethod: 'agent' | 'publickey' | null = null;
  private lastError: AppError | null = null;
  private readonly options: ConnectionOptions;

  constructor(
    readonly target: SshTarget,
    private readonly auth: ConnectionAuth,
    options: Partial<ConnectionOptions> = {},
  ) {
    super();
    this.options = { ...DEFAULT_CONNECTION_OPTIONS, ...options };
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The live ssh2 client while the state is `up`, null otherwise. */
  get client(): Client | null {
    return this.stateValue === 'up' ? this.clientValue : null;
  }

  snapshot(): ConnectionSnapshot {
    return {
      target: { ...this.target },
      state: this.stateValue,
      authMethod: this.authMethod,
      attempt: this.attempt,
      nextAttemptAt: this.nextAttemptAt,
      upSince: this.upSince,
      error: this.lastError ? { code: this.lastError.code, message: this.lastError.message } : null,
    };
  }

  /** Starts connecting (idempotent). A failed connection starts over from a fresh attempt count. */
  start(): void {
    if (this.closed)
      throw new AppError('CONFLICT', `The connection to ${describeTarget(this.target)} was closed.`);
    if (this.stateValue === 'idle' || this.stateValue === 'failed') {
      this.attempt = 0;
      this.everUp = false;
      this.lastError = null;
      this.connect();
    }
  }

  /**
   * Resolves with the client once the connection is up; rejects when it fails, the signal fires or
   * it is still not up after waitTimeoutMs (a connection that had been up retries forever otherwise).
   */
  whenUp(signal?: AbortSignal): Promise<Client> {
    this.start();
    return new Promise<Client>((resolve, reject) => {
      const check = (): boolean => {
        if (this.stateValue === 'up' && this.clientValue) {
          done();
          resolve(this.clientValue);
          return true;
        }
        if (this.stateValue === 'failed' || this.closed) {
          done();
          reject(
            this.lastError ??
              new AppError('SSH_CONNECT', `The connection to ${describeTarget(this.target)} was closed.`),
          );
          return true;
        }
        return false;
      };
      const onAbort = (): void => {
        done();
        reject(new AppError('CANCELLED', 'Cancelled.'));
      };
      const timer = setTimeout(() => {
        done();
        const last = this.lastError ? ` The last attempt said: ${this.lastError.message}` : '';
        reject(
          new AppError(
            'SSH_CONNECT',
            `${describeTarget(this.target)} could not be reached within ${Math.round(this.options.waitTimeoutMs / 1000)} s; the app keeps trying in the background.${last}`,
          ),
        );
      }, this.options.waitTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.off('state', check);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) return onAbort();
      if (check()) return;
      this.on('state', check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Checks that the link still answers (a tiny exec, 5 s deadline) and reconnects at once if not.
   * For the shells to call when the OS reports a resume from sleep or a network change.
   */
  async probeNow(): Promise<boolean> {
    const client = this.client;
    if (!client) return false;
    const alive = await probe(client, 5_000);
    if (!alive && this.clientValue === client) this.reconnectNow();
    return alive;
  }

  /** Drops the current transport and reconnects now (a network change was reported, a probe failed). */
  reconnectNow(): void {
    if (this.closed) return;
    this.clientValue?.destroy();
  }

  /** Ends the connection for good. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    const client = this.clientValue;
    this.clientValue = null;
    this.setState('idle');
    client?.end();
    // end() waits for sshd's goodbye; a dead link would never give one.
    setTimeout(() => client?.destroy(), 2_000).unref();
  }

  private connect(): void {
    this.clearTimers();
    this.setState(this.everUp || this.attempt > 0 ? 'retrying' : 'connecting');
    const client = new Client();
    this.clientValue = client;
    let hostKeyError: AppError | null = null;
    let lastAuth: 'agent' | 'publickey' | null = null;
    let socketError: Error | null = null;

    const config: ConnectConfig = {
      host: this.target.host,
      port: this.target.port,
      username: this.target.user,
      keepaliveInterval: this.options.keepaliveIntervalMs,
      keepaliveCountMax: this.options.keepaliveCountMax,
      readyTimeout: this.options.readyTimeoutMs,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        this.verifyHostKey(key).then(
          () => verify(true),
          (err: unknown) => {
            hostKeyError = AppError.from(err);
            verify(false);
          },
        );
      },
    };

    client.on('ready', () => {
      if (this.clientValue !== client || this.closed) return client.end();
      this.attempt = 0;
      this.everUp = true;
      this.lastError = null;
      this.authMethod = lastAuth;
      this.upSince = Date.now();
      this.watchForSleep();
      this.setState('up');
    });
    client.on('error', (err: Error) => {
      socketError = err;
    });
    client.on('close', () => {
      if (this.clientValue !== client) return;
      this.clientValue = null;
      this.upSince = null;
      if (this.closed) return;
      const error = hostKeyError ?? classify(socketError, this.target);
      this.lastError = error;
      // A refused login or a changed host key will not fix itself by trying again.
      const permanent = ['SSH_AUTH', 'SSH_HOST_KEY_MISMATCH', 'SSH_HOST_KEY_UNKNOWN'].includes(error.code);
      const limit = this.everUp ? this.options.reconnectAttempts : this.options.initialAttempts - 1;
      if (permanent || this.attempt >= limit) {
        this.clearTimers();
        this.setState('failed');
        return;
      }
      this.scheduleRetry();
    });

    this.auth.appKey().then(
      (appKey) => {
        if (this.clientValue !== client) return;
        const methods: AnyAuthMethod[] = [];
        if (this.auth.agentSocket)
          methods.push({ type: 'agent', username: this.target.user, agent: this.auth.agentSocket });
        methods.push({ type: 'publickey', username: this.target.user, key: appKey.privateKey });
        config.authHandler = (_left, _partial, next) => {
          const method = methods.shift();
          lastAuth = method ? (method.type as 'agent' | 'publickey') : lastAuth;
          // ssh2 takes `false` for "no more methods"; its typings forgot that value.
          next(method ?? (false as unknown as AuthenticationType));
        };
        connectNoDelay(client, config);
      },
      (err: unknown) => {
        if (this.clientValue !== client) return;
        this.clientValue = null;
        this.lastError = AppError.from(err);
        this.setState('failed');
      },
    );
  }

  private async verifyHostKey(key: Buffer): Promise<void> {
    const { host, port } = this.target;
    const result = await this.auth.knownHosts.check(host, port, key);
    if (result.verdict === 'trusted') return;
    if (result.verdict === 'mismatch')
      throw hostKeyMismatchError(host, port, result.remembered.fingerprint, result.fingerprint);
    const policy = this.auth.hostKeyPolicy;
    const accepted = policy === 'accept-new' ? true : policy === 'strict' ? false : await policy(result.key);
    if (!accepted) throw hostKeyUnknownError(result.key);
    await this.auth.knownHosts.remember(host, port, result.key.fingerprint, result.key.keyType);
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(this.attempt, this.options.backoff);
    this.attempt += 1;
    this.nextAttemptAt = Date.now() + delay;
    this.setState('retrying');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.nextAttemptAt = null;
      this.connect();
    }, delay);
  }

  /**
   * Keepalive alone needs interval x count (30 s) to notice a link that died while the laptop slept.
   * A timer that fires far too late is the sign of a sleep: probe with a tiny exec and drop the
   * transport at once if it does not answer.
   */
  private watchForSleep(): void {
    const interval = this.options.sleepCheckMs;
    if (interval <= 0) return;
    let last = Date.now();
    this.sleepTimer = setInterval(() => {
      const now = Date.now();
      const late = now - last > interval * 3;
      last = now;
      if (late) void this.probeNow();
    }, interval);
    this.sleepTimer.unref();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.sleepTimer) clearInterval(this.sleepTimer);
    this.retryTimer = null;
    this.sleepTimer = null;
    this.nextAttemptAt = null;
  }

  private setState(state: ConnectionState): void {
    if (state !== 'up' && this.sleepTimer) {
      clearInterval(this.sleepTimer);
      this.sleepTimer = null;
    }
    const changed = this.stateValue !== state;
    this.stateValue = state;
    // Retrying -> retrying still carries a new attempt number and time, so it is announced too.
    if (changed || state === 'retrying') this.emit('state', this.snapshot());
  }
}

function probe(client: Client, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    try {
      client.exec(':', (err, stream) => {
        if (err) {
          clearTimeout(timer);
          return resolve(false);
        }
        stream.on('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
        stream.resume();
      });
    } catch {
      clearTimeout(timer);
      resolve(false);
    }
  });
}

function classify(err: Error | null, target: SshTarget): AppError {
  const where = describeTarget(target);
  if (!err)
    return new AppError('SSH_CONNECT', `The SSH connection to ${where} was closed by the other side.`);
  const level = (err as Error & { level?: string }).level;
  if (level === 'client-authentication') {
    return new AppError(
      'SSH_AUTH',
      `${where} refused every key the app offered (its own key, and ssh-agent's keys when SSH_AUTH_SOCK is set). Add the app's public key to the machine's authorized_keys (for Vast: your account's SSH keys) and try again.`,
    );
  }
  if (level === 'client-timeout') {
    return new AppError(
      'SSH_CONNECT',
      `${where} did not answer in time (${err.message}). Check that the machine is running and reachable.`,
    );
  }
  return new AppError(
    'SSH_CONNECT',
    `Could not connect to ${where}: ${err.message}. Check that the machine is running and its SSH port is reachable.`,
  );
}
