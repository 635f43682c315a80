import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatWorkspaceSpec, parseWorkspaceSpec, type WorkspaceSpec } from './workspace';

/**
 * The workspace chosen per template (template folder -> `PATH` or `volume:NAME`), kept in the data
 * folder so the next run of the same template finds its data again without being told.
 */
export class WorkspaceChoices {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'workspaces.json');
  }

  async get(templateKey: string): Promise<WorkspaceSpec | null> {
    const value = (await this.read())[templateKey];
    if (typeof value !== 'string') return null;
    try {
      return parseWorkspaceSpec(value);
    } catch {
      // A hand-edited or outdated entry is ignored rather than failing every run of the template.
      return null;
    }
  }

  async set(templateKey: string, spec: WorkspaceSpec | null): Promise<void> {
    const all = await this.read();
    if (spec) all[templateKey] = formatWorkspaceSpec(spec);
    else delete all[templateKey];
    await mkdir(dirname(this.file), { recursive: true });
    // Written aside and renamed, so a crash never leaves half a file that loses every choice.
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`);
    await rename(temp, this.file);
  }

  private async read(): Promise<Record<string, unknown>> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? { ...(parsed as Record<string, unknown>) }
        : {};
    } catch {
      return {};
    }
  }
}
