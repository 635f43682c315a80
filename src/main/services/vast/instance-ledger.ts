import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One line of the ledger. `created` is written the moment Vast returns new_contract. */
export type LedgerRecord =
  | {
      kind: 'created';
      at: number;
      instanceId: number;
      /** The Vast server it lives on (so sandbox instances never mix with real ones). */
      server: string;
      offerId: number;
      label: string;
      image: string;
      runtype: string;
      dphTotal: number | null;
    }
  | { kind: 'destroyed'; at: number; instanceId: number; server: string };

export interface LedgerEntry {
  instanceId: number;
  server: string;
  offerId: number;
  label: string;
  image: string;
  runtype: string;
  dphTotal: number | null;
  createdAt: number;
  destroyedAt: number | null;
}

export const LEDGER_FILE_NAME = 'vast-instances.jsonl';

/**
 * Every instance the app creates, in an append-only JSON-lines file, written with fsync before
 * the create call returns: if the app dies a millisecond later the instance (which costs money
 * every hour) is still known and can be found and destroyed. Synchronous on purpose: no await
 * may sit between Vast saying "created" and the record being on disk.
 */
export class InstanceLedger {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, LEDGER_FILE_NAME);
  }

  recordCreated(entry: Omit<Extract<LedgerRecord, { kind: 'created' }>, 'kind' | 'at'>): void {
    this.append({ kind: 'created', at: Date.now(), ...entry });
  }

  recordDestroyed(server: string, instanceId: number): void {
    this.append({ kind: 'destroyed', at: Date.now(), instanceId, server });
  }

  /** Entries oldest first; destroyed ones only when asked. A torn last line (a crash mid-write) is skipped. */
  list(options: { includeDestroyed?: boolean; server?: string } = {}): LedgerEntry[] {
    const byKey = new Map<string, LedgerEntry>();
    for (const record of this.readRecords()) {
      const key = `${record.server}#${record.instanceId}`;
      if (record.kind === 'created') {
        byKey.set(key, {
          instanceId: record.instanceId,
          server: record.server,
          offerId: record.offerId,
          label: record.label,
          image: record.image,
          runtype: record.runtype,
          dphTotal: record.dphTotal,
          createdAt: record.at,
          destroyedAt: null,
        });
      } else {
        const entry = byKey.get(key);
        if (entry) entry.destroyedAt = record.at;
      }
    }
    return [...byKey.values()]
      .filter((e) => options.includeDestroyed || e.destroyedAt === null)
      .filter((e) => options.server === undefined || e.server === options.server)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  has(server: string, instanceId: number): boolean {
    return this.list({ includeDestroyed: true, server }).some((e) => e.instanceId === instanceId);
  }

  private readRecords(): LedgerRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: LedgerRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const rec = JSON.parse(line) as LedgerRecord;
        if (rec && typeof rec.instanceId === 'number' && (rec.kind === 'created' || rec.kind === 'destroyed'))
          out.push(rec);
      } catch {
        // A line torn by a crash: the records before it are intact.
      }
    }
    return out;
  }

  private append(record: LedgerRecord): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const fd = openSync(this.file, 'a', 0o600);
    try {
      // Lead with a newline-safe write: one record, one line, one write call.
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
