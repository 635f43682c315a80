import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import type { ConnectionSnapshot, SshConnection } from './ssh-connection';
import { describeTarget } from './target';
import { widenReceiveWindow } from './receive-window';

function sum<T>(items: Iterable<T>, of: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += of(item);
  return total;
}

export type TunnelState = 'idle' | 'connecting' | 'up' | 'retrying' | 'failed';

/** A local forward: 127.0.0.1:localPort on this machine -> remoteHost:remotePort as seen by sshd. */
export interface ForwardSpec {
  remotePort: number;
  /** As seen from the SSH server; 127.0.0.1 reaches the container's own services. */
  remoteHost: string;
  /** 0 lets the system choose; the chosen port is then kept for every reopen. */
  localPort: number;
}

export interface TunnelSnapshot {
  id: string;
  state: TunnelState;
  remoteHost: string;
  remotePort: number;
  /** The port asked for (0 = any). */
  requestedLocalPort: number;
  /** The port actually bound, kept across reconnects; null before the first bind. */
  localPort: number | null;
  /** Connections open right now. */
  activeConnections: number;
  /** Connections accepted since the tunnel was opened. */
  totalConnections: number;
  /** Bytes from the local client to the remote port. */
  bytesOut: number;
  /** Bytes from the remote port to the local client. */
  bytesIn: number;
  error: { code: string; message: string } | null;
}

export interface TunnelOptions {
  /** How long to keep retrying to bind the kept local port when reopening (ms). */
  rebindTimeoutMs: number;
}

/**
 * One local port forward, owning its listener (as Tabby's forwarded ports do): the listener is bound
 * only while the SSH connection is up and is closed on every way down, so a client never connects
 * into a tunnel that goes nowhere. When the connection comes back the listener is bound again on the
 * SAME local port, so bookmarks and open browser tabs keep working.
 */
export class Tunnel extends EventEmitter {
  readonly id: string;
  private stateValue: TunnelState = 'idle';
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort: number | null = null;
  private totalConnections = 0;
  /** Bytes of sockets already closed; live sockets are read from their own counters. */
  private closedBytesOut = 0;
  private closedBytesIn = 0;
  private error: AppError | null = null;
  private closed = false;
  private binding: Promise<void> | null = null;
  private readonly onConnectionState = (snapshot: ConnectionSnapshot): void => this.follow(snapshot);
  private readonly options: TunnelOptions;

  constructor(
    private readonly connection: SshConnection,
    readonly spec: ForwardSpec,
    options: Partial<TunnelOptions> = {},
    id: string = randomUUID(),
  ) {
    super();
    this.id = id;
    this.options = { rebindTimeoutMs: 3_000, ...options };
  }

  get state(): TunnelState {
    return this.stateValue;
  }

  get localPort(): number | null {
    return this.boundPort;
  }

  snapshot(): TunnelSnapshot {
    return {
      id: this.id,
      state: this.stateValue,
      remoteHost: this.spec.remoteHost,
      remotePort: this.spec.remotePort,
      requestedLocalPort: this.spec.localPort,
      localPort: this.boundPort,
      activeConnections: this.sockets.size,
      totalConnections: this.totalConnections,
      bytesOut: this.closedBytesOut + sum(this.sockets, (s) => s.bytesRead),
      bytesIn: this.closedBytesIn + sum(this.sockets, (s) => s.bytesWritten),
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
    };
  }

  start(): void {
    if (this.closed || this.stateValue !== 'idle') return;
    this.connection.on('state', this.onConnectionState);
    this.connection.start();
    this.follow(this.connection.snapshot());
  }

  /** Resolves once the tunnel is up (listener bound); rejects if it fails or the signal fires. */
  whenUp(signal?: AbortSignal): Promise<TunnelSnapshot> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.stateValue === 'up') {
          done();
          resolve(this.snapshot());
          return true;
        }
        if (this.stateValue === 'failed' || this.closed) {
          done();
          reject(this.error ?? new AppError('SSH_CONNECT', 'The tunnel was closed.'));
          return true;
        }
        return false;
      };
      const onAbort = (): void => {
        done();
        reject(new AppError('CANCELLED', 'Cancelled.'));
      };
      const done = (): void => {
        this.off('state', check);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) return onAbort();
      if (check()) return;
      this.on('state', check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes the listener and every forwarded socket for good. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.off('state', this.onConnectionState);
    await this.closeListener();
    this.setState('idle');
  }

  private follow(snapshot: ConnectionSnapshot): void {
    if (this.closed) return;
    switch (snapshot.state) {
      case 'up':
        void this.open();
        return;
      case 'failed':
        this.error = snapshot.error
          ? new AppError(snapshot.error.code as AppError['code'], snapshot.error.message)
          : null;
        void this.closeListener();
        this.setState('failed');
        return;
      default:
        // idle (closed under us), connecting or retrying: nothing may listen on a dead tunnel.
        void this.closeListener();
        this.setState(this.boundPort === null && snapshot.state === 'connecting' ? 'connecting' : 'retrying');
    }
  }

  private async open(): Promise<void> {
    if (this.binding) return this.binding;
    this.binding = (async () => {
      try {
        await this.listen();
        // The connection may have dropped while we were binding.
        if (this.connection.state !== 'up' || this.closed) return void (await this.closeListener());
        this.error = null;
        this.setState('up');
      } catch (err) {
        this.error = AppError.from(err);
        await this.closeListener();
        this.setState('failed');
      } finally {
        this.binding = null;
      }
    })();
    return this.binding;
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    const port = this.boundPort ?? this.spec.localPort;
    const deadline = Date.now() + this.options.rebindTimeoutMs;
    for (;;) {
      // noDelay: small writes (a websocket frame, a keystroke to Jupyter's terminal) leave at once, as
      // OpenSSH's -L does for the sockets it accepts.
      const server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.forward(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          // exclusive: never share the port with a cluster sibling; Node sets SO_REUSEADDR on Unix,
          // so sockets of the previous listener lingering in TIME_WAIT do not block the rebind.
          server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.on('error', () => undefined);
        this.server = server;
        const address = server.address();
        if (address && typeof address === 'object') this.boundPort = address.port;
        return;
      } catch (err) {
        server.close();
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' && Date.now() < deadline && !this.closed) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        if (code === 'EADDRINUSE') {
          throw new AppError(
            'CONFLICT',
            `Local port ${port} is taken by another program, so the tunnel to port ${this.spec.remotePort} cannot listen there. Close that program or open the tunnel on another local port.`,
            { localPort: port },
          );
        }
        throw new AppError('IO', `Could not listen on 127.0.0.1:${port}: ${(err as Error).message}`);
      }
    }
  }

  private forward(socket: Socket): void {
    const client = this.connection.client;
    if (!client || this.stateValue !== 'up') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    this.totalConnections += 1;
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.sockets.delete(socket);
      // Counted from the socket's own counters, not per chunk: a listener per chunk costs throughput.
      this.closedBytesOut += socket.bytesRead;
      this.closedBytesIn += socket.bytesWritten;
      this.emitStats();
    });
    socket.on('error', () => undefined);
    this.emitStats();
    const srcPort = socket.remotePort ?? 0;
    client.forwardOut('127.0.0.1', srcPort, this.spec.remoteHost, this.spec.remotePort, (err, channel) => {
      if (err) {
        // Nothing listens on the remote port (yet): the client sees a closed connection, as with ssh -L.
        socket.destroy();
        return;
      }
      if (socket.destroyed) {
        channel.close();
        return;
      }
      channel.on('error', () => socket.destroy());
      channel.on('close', () => socket.destroy());
      socket.on('close', () => channel.close());
      socket.pipe(channel).pipe(socket);
      widenReceiveWindow(channel);
      socket.resume();
    });
  }

  private async closeListener(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private statsTimer: NodeJS.Timeout | null = null;

  /** Connection counts change per accepted socket; announce them at most every 250 ms. */
  private emitStats(): void {
    if (this.statsTimer) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      if (!this.closed) this.emit('stats', this.snapshot());
    }, 250);
    this.statsTimer.unref();
  }

  private setState(state: TunnelState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', this.snapshot());
  }

  describe(): string {
    return `127.0.0.1:${this.boundPort ?? this.spec.localPort} -> ${describeTarget(this.connection.target)} ${this.spec.remoteHost}:${this.spec.remotePort}`;
  }
}
