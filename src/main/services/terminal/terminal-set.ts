import { EventEmitter } from 'node:events';
import { AppError } from '../../../shared/errors';
import type { PtyExit, PtyOutput, PtySession, PtyState } from './pty-session';

/** What every kind of terminal reports about itself. */
export interface TerminalBaseInfo {
  id: string;
  rows: number;
  cols: number;
  openedAt: number;
  state: PtyState;
  exited: PtyExit | null;
}

/** Ended terminals kept for a last replay before they are forgotten. */
const MAX_ENDED = 20;

/**
 * Open terminals of one kind by id. A terminal outlives its view (scrollback kept in its session)
 * and is forgotten when closed, or when too many ended ones pile up.
 * Emits `output` (id, PtyOutput), `state` (id, PtyState) and `exit` (id, PtyExit).
 */
export class TerminalSet<Session extends PtySession, Info extends TerminalBaseInfo> extends EventEmitter {
  private readonly entries = new Map<string, { session: Session; info: Info }>();

  /** Keeps a newly opened session; `onEnd` runs once when it ends (release what it holds). */
  protected add(session: Session, info: Info, onEnd: () => void = () => undefined): Info {
    this.entries.set(session.id, { session, info });
    session.on('output', (output: PtyOutput) => this.emit('output', session.id, output));
    session.on('state', (state: PtyState) => {
      info.state = state;
      this.emit('state', session.id, state);
    });
    session.once('exit', (exit: PtyExit) => {
      onEnd();
      info.exited = exit;
      this.emit('exit', session.id, exit);
      this.forgetOldEnded();
    });
    return this.describe(session, info);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): Session {
    const entry = this.entries.get(id);
    if (!entry)
      throw new AppError('NOT_FOUND', `No terminal with id ${id}; it was closed or the app restarted.`);
    return entry.session;
  }

  list(): Info[] {
    return [...this.entries.values()].map((e) => this.describe(e.session, e.info));
  }

  /** Ends the terminal (if still running) and forgets it. */
  close(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.session.close();
    this.entries.delete(id);
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.close(id);
  }

  private describe(session: Session, info: Info): Info {
    return { ...info, rows: session.rows, cols: session.cols, state: session.state, exited: session.exited };
  }

  private forgetOldEnded(): void {
    const ended = [...this.entries.values()].filter((e) => e.info.exited);
    for (const e of ended.slice(0, Math.max(0, ended.length - MAX_ENDED))) this.entries.delete(e.info.id);
  }
}
