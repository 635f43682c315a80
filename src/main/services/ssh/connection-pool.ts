import { EventEmitter } from 'node:events';
import type { ConnectionSnapshot, SshConnection } from './ssh-connection';
import { targetKey, type SshTarget } from './target';

/** A borrowed connection; call release() once when done with it. */
export interface ConnectionLease {
  readonly connection: SshConnection;
  release(): void;
}

/**
 * One connection per host, port and user, shared by every shell, exec and tunnel that needs it
 * (like OpenSSH's ControlMaster), counted by reference and closed when the last user lets go.
 * Emits `state` (ConnectionSnapshot & { users }) whenever a pooled connection changes state.
 */
export class ConnectionPool extends EventEmitter {
  private readonly entries = new Map<string, { connection: SshConnection; refs: number }>();

  constructor(private readonly create: (target: SshTarget) => SshConnection) {
    super();
  }

  acquire(target: SshTarget): ConnectionLease {
    const key = targetKey(target);
    let entry = this.entries.get(key);
    if (!entry) {
      const connection = this.create(target);
      const created = { connection, refs: 0 };
      entry = created;
      this.entries.set(key, entry);
      connection.on('state', (snapshot: ConnectionSnapshot) =>
        this.emit('state', { ...snapshot, users: created.refs }),
      );
    }
    entry.refs += 1;
    const held = entry;
    held.connection.start();
    let released = false;
    return {
      connection: held.connection,
      release: () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs === 0 && this.entries.get(key) === held) {
          this.entries.delete(key);
          held.connection.close();
        }
      },
    };
  }

  /** The connection to a target, if one is held. */
  peek(target: SshTarget): SshConnection | null {
    return this.entries.get(targetKey(target))?.connection ?? null;
  }

  list(): { connection: SshConnection; refs: number }[] {
    return [...this.entries.values()].map((e) => ({ connection: e.connection, refs: e.refs }));
  }

  closeAll(): void {
    for (const entry of this.entries.values()) entry.connection.close();
    this.entries.clear();
  }
}
