import { createWriteStream, mkdirSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildRecord, type BuildRecordData } from '../../../../shared/contract/builds';
import { AppError } from '../../../../shared/errors';
import { SerialQueue, readJsonFile, writeFileAtomic } from './atomic-file';

/** What is stored: the contract's record plus the process that ran it (to spot interrupted builds). */
interface StoredRecord extends BuildRecordData {
  pid?: number;
}

export interface LogPage {
  text: string;
  offset: number;
  nextOffset: number;
  totalBytes: number;
  complete: boolean;
}

export interface LogWriter {
  write(text: string): void;
  /** Flushes and closes; resolves with the bytes written. */
  close(): Promise<number>;
}

/**
 * Builds kept across restarts: an index (index.json, newest first, bounded) and one full log per
 * build (logs/<id>.log). The file is the truth and is re-read on every change, so the app and a
 * `tstudio build` running beside it do not erase each other's records.
 */
export class BuildHistory {
  private readonly queue = new SerialQueue();
  private readonly indexFile: string;
  private readonly logDir: string;

  constructor(
    dir: string,
    private readonly limit = 200,
  ) {
    this.indexFile = join(dir, 'index.json');
    this.logDir = join(dir, 'logs');
  }

  async list(limit = this.limit): Promise<BuildRecordData[]> {
    const records = await this.read();
    return records.slice(0, limit).map(publicRecord);
  }

  async get(id: string): Promise<BuildRecordData> {
    const found = (await this.read()).find((r) => r.id === id);
    if (!found)
      throw new AppError(
        'NOT_FOUND',
        `No build ${id} in the history. It may be older than the last ${this.limit}.`,
      );
    return publicRecord(found);
  }

  /** Inserts or replaces a record; drops (with their logs) what falls beyond the limit. */
  put(record: BuildRecordData): Promise<BuildRecordData> {
    return this.queue.run(async () => {
      const records = (await this.read()).filter((r) => r.id !== record.id);
      const stored: StoredRecord = { ...record, pid: record.outcome === 'running' ? process.pid : undefined };
      records.unshift(stored);
      records.sort((a, b) => b.startedAt - a.startedAt);
      const dropped = records.splice(this.limit);
      await writeFileAtomic(this.indexFile, JSON.stringify(records));
      await Promise.all(dropped.map((r) => rm(this.logPath(r.id), { force: true })));
      return publicRecord(stored);
    });
  }

  logPath(id: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new AppError('VALIDATION', `Not a build id: ${id}`);
    return join(this.logDir, `${id}.log`);
  }

  openLog(id: string): LogWriter {
    const path = this.logPath(id);
    let bytes = 0;
    let stream: ReturnType<typeof createWriteStream> | null = null;
    // A write error (the disk is full) arrives as an 'error' event during the build; without a
    // listener from the start it would end the whole process. It is kept and reported by close().
    let failure: Error | null = null;
    const ensure = () => {
      if (!stream) {
        mkdirSync(this.logDir, { recursive: true, mode: 0o700 });
        stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
        stream.on('error', (err) => (failure ??= err));
      }
      return stream;
    };
    const ioError = (err: Error) =>
      new AppError(
        'IO',
        `The build log could not be written to ${path} (${err.message}). Free some disk space; the log is incomplete.`,
      );
    return {
      write: (text) => {
        bytes += Buffer.byteLength(text);
        if (!failure) ensure().write(text);
      },
      close: () =>
        new Promise<number>((resolve, reject) => {
          if (failure) return reject(ioError(failure));
          const s = ensure();
          s.end(() => (failure ? reject(ioError(failure)) : resolve(bytes)));
          s.once('error', (err) => reject(ioError(err)));
        }),
    };
  }

  /** A page of a log: from a byte offset, at most `limit` bytes, cut back to the last line end. */
  async readLog(id: string, offset: number, limit: number): Promise<LogPage> {
    const record = await this.get(id);
    const complete = record.outcome !== 'running';
    const path = this.logPath(id);
    let totalBytes = 0;
    try {
      totalBytes = (await stat(path)).size;
    } catch {
      return { text: '', offset, nextOffset: offset, totalBytes: 0, complete };
    }
    const start = Math.min(offset, totalBytes);
    const length = Math.min(limit, totalBytes - start);
    const buffer = Buffer.alloc(length);
    const handle = await open(path, 'r');
    try {
      await handle.read(buffer, 0, length, start);
    } finally {
      await handle.close();
    }
    let end = length;
    if (start + length < totalBytes) {
      const lastNewline = buffer.lastIndexOf(0x0a);
      // A line longer than the page is cut where the page ends rather than never delivered.
      if (lastNewline !== -1) end = lastNewline + 1;
    }
    return {
      text: buffer.subarray(0, end).toString('utf8'),
      offset: start,
      nextOffset: start + end,
      totalBytes,
      complete,
    };
  }

  private async read(): Promise<StoredRecord[]> {
    const raw = await readJsonFile<unknown[]>(this.indexFile, []);
    const records: StoredRecord[] = [];
    for (const item of Array.isArray(raw) ? raw : []) {
      const parsed = BuildRecord.safeParse(item);
      if (!parsed.success) continue;
      const pid = (item as { pid?: unknown }).pid;
      const record: StoredRecord = { ...parsed.data, pid: typeof pid === 'number' ? pid : undefined };
      // A build whose process is gone did not finish: the app or the CLI stopped under it.
      if (record.outcome === 'running' && !(record.pid !== undefined && processAlive(record.pid))) {
        record.outcome = 'interrupted';
      }
      records.push(record);
    }
    return records;
  }
}

function publicRecord(record: StoredRecord): BuildRecordData {
  const { pid: _pid, ...rest } = record;
  return rest;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
