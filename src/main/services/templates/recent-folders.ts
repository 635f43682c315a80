/** The recently opened folders, kept as JSON in the app's data dir (newest first, bounded). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecentFolder {
  path: string;
  openedAt: number;
}

const MAX_RECENT = 20;

export class RecentFolders {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'recent-template-folders.json');
  }

  list(): RecentFolder[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      if (!Array.isArray(parsed)) return [];
      return parsed.filter(
        (r): r is RecentFolder => typeof r?.path === 'string' && typeof r?.openedAt === 'number',
      );
    } catch {
      // A missing or corrupt file just means no history yet.
      return [];
    }
  }

  add(path: string, now = Date.now()): RecentFolder[] {
    const next = [{ path, openedAt: now }, ...this.list().filter((r) => r.path !== path)].slice(
      0,
      MAX_RECENT,
    );
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Write then rename so a crash never leaves half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2));
    renameSync(tmp, this.file);
    return next;
  }
}
