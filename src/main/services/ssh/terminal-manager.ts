import { EventEmitter } from 'node:events';
import { AppError } from '../../../shared/errors';
import type { ConnectionPool } from './connection-pool';
import type { ConnectionSnapshot } from './ssh-connection';
import { ShellSession, type ShellExit, type ShellOptions, type ShellOutput } from './shell-session';
import type { SshTarget } from './target';

export interface TerminalInfo {
  id: string;
  target: SshTarget;
  rows: number;
  cols: number;
  openedAt: number;
  exited: ShellExit | null;
}

/** Ended terminals kept for a last replay before they are forgotten. */
const MAX_ENDED = 20;

/**
 * Open PTY shells by id. A terminal outlives its view (scrollback kept in the session) and ends
 * with its program or its connection; each holds a lease on the shared connection while it runs.
 * Emits `output` (id, ShellOutput) and `exit` (id, ShellExit).
 */
export class TerminalManager extends EventEmitter {
  private readonly sessions = new Map<string, { session: ShellSession; info: TerminalInfo }>();

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
    const info: TerminalInfo = {
      id: session.id,
      target: { ...target },
      rows: session.rows,
      cols: session.cols,
      openedAt: Date.now(),
      exited: null,
    };
    this.sessions.set(session.id, { session, info });
    // The channel dies with the transport without a close of its own; end the session with it.
    const onConnection = (snapshot: ConnectionSnapshot): void => {
      if (snapshot.state !== 'up') session.connectionLost();
    };
    lease.connection.on('state', onConnection);
    session.on('output', (output: ShellOutput) => this.emit('output', session.id, output));
    session.once('exit', (exit: ShellExit) => {
      lease.connection.off('state', onConnection);
      lease.release();
      info.exited = exit;
      this.emit('exit', session.id, exit);
      this.forgetOldEnded();
    });
    return { ...info };
  }

  get(id: string): ShellSession {
    const entry = this.sessions.get(id);
    if (!entry)
      throw new AppError('NOT_FOUND', `No terminal with id ${id}; it was closed or the app restarted.`);
    return entry.session;
  }

  list(): TerminalInfo[] {
    return [...this.sessions.values()].map((e) => ({
      ...e.info,
      rows: e.session.rows,
      cols: e.session.cols,
    }));
  }

  /** Ends the shell (if still running) and forgets the terminal. */
  close(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    entry.session.close();
    this.sessions.delete(id);
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
  }

  private forgetOldEnded(): void {
    const ended = [...this.sessions.values()].filter((e) => e.info.exited);
    for (const e of ended.slice(0, Math.max(0, ended.length - MAX_ENDED))) this.sessions.delete(e.info.id);
  }
}
