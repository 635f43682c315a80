import { resolve } from 'node:path';
import { SerialQueue, readJsonFile, writeFileAtomic } from './atomic-file';

const MAX_FOLDERS = 500;

/** The build args last used per context folder, so the form opens with them. */
export class RememberedBuildArgs {
  private readonly queue = new SerialQueue();

  constructor(private readonly file: string) {}

  async get(contextDir: string): Promise<Record<string, string>> {
    const all = await readJsonFile<Record<string, { args: Record<string, string> }>>(this.file, {});
    return all[resolve(contextDir)]?.args ?? {};
  }

  remember(contextDir: string, args: Record<string, string>): Promise<void> {
    return this.queue.run(async () => {
      const all = await readJsonFile<Record<string, { args: Record<string, string>; at: number }>>(
        this.file,
        {},
      );
      all[resolve(contextDir)] = { args, at: Date.now() };
      const kept = Object.entries(all)
        .sort((a, b) => b[1].at - a[1].at)
        .slice(0, MAX_FOLDERS);
      await writeFileAtomic(this.file, JSON.stringify(Object.fromEntries(kept), null, 2));
    });
  }
}
