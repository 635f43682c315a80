import { TerminalSet, type TerminalBaseInfo } from '../terminal';
import type { ConnectionPool } from './connection-pool';
import type { ConnectionSnapshot, SshConnection } from './ssh-connection';
import { ShellSession, type ShellOptions } from './shell-session';
import type { SshTarget } from './target';

export interface TerminalInfo extends TerminalBaseInfo {
  via: 'ssh';
  target: SshTarget;
}

/**
 * Open SSH shells by id. Each holds a lease on the shared connection while it runs. When that
 * connection drops (it reconnects with backoff on its own) the terminal keeps its id and scrollback,
 * says so in its stream and goes `reconnecting`; once the connection is up again a fresh shell of
 * the same size streams into the same terminal. A connection that fails for good ends the terminal.
 * Emits `output` (id, ShellOutput), `state` (id, PtyState) and `exit` (id, ShellExit).
 */
export class TerminalManager extends TerminalSet<ShellSession, TerminalInfo> {
  constructor(
    private readonly pool: ConnectionPool,
    private readonly defaults: Partial<ShellOptions> = {},
  ) {
    super();
  }

  async open(
    target: SshTarget,
    options: Partial<ShellOptions> = {},
    signal?: AbortSignal,
  ): Promise<TerminalInfo> {
    const lease = this.pool.acquire(target);
    let session: ShellSession;
    try {
      const client = await lease.connection.whenUp(signal);
      session = await ShellSession.open(client, { ...this.defaults, ...options });
    } catch (err) {
      lease.release();
      throw err;
    }
    const connection = lease.connection;
    session.transportDown = () => connection.state !== 'up';
    const follow = followConnection(session, connection);
    connection.on('state', follow);
    return this.add(
      session,
      {
        id: session.id,
        via: 'ssh',
        target: { ...target },
        rows: session.rows,
        cols: session.cols,
        openedAt: Date.now(),
        state: session.state,
        exited: null,
      },
      () => {
        connection.off('state', follow);
        lease.release();
      },
    );
  }
}

/** Suspends the shell while its connection is down, reopens it when it is up, ends it when it failed. */
function followConnection(
  session: ShellSession,
  connection: SshConnection,
): (snapshot: ConnectionSnapshot) => void {
  let reopening = false;
  const reopen = (): void => {
    const client = connection.client;
    if (reopening || !client || session.state !== 'reconnecting') return;
    reopening = true;
    session.reopen(client).then(
      () => {
        reopening = false;
      },
      (err: unknown) => {
        reopening = false;
        // Dropped again while the shell was opening: keep waiting for the next 'up'.
        if (connection.state !== 'up') return;
        session.connectionLost((err as Error).message);
      },
    );
  };
  return (snapshot) => {
    if (snapshot.state === 'up') return reopen();
    if (snapshot.state === 'failed' || snapshot.state === 'idle') {
      return session.connectionLost(snapshot.error?.message ?? 'the connection was closed');
    }
    session.suspend();
  };
}
