import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** The app a tunnel reaches, from the target's PORTAL_CONFIG. */
export const TunnelAppSchema = z.object({ name: z.string(), openPath: z.string() });
export type TunnelApp = z.output<typeof TunnelAppSchema>;

const AddressSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  user: z.string().min(1),
});

/**
 * One tunnel the user opened, as kept on disk so it comes back after the app restarts. The target
 * is kept as the user named it (a run id stays a run id, resolved again on restore) and as the
 * address it resolved to, for display when it no longer resolves.
 */
export const TunnelDefinitionSchema = z.object({
  id: z.string().min(1),
  /** Run id, instance id or user@host:port, exactly as given. */
  targetRef: z.string().min(1),
  resolved: AddressSchema,
  remoteHost: z.string().min(1),
  remotePort: z.number().int().min(1).max(65535),
  /** The port actually bound (the requested one until the first bind). */
  localPort: z.number().int().min(0).max(65535),
  app: TunnelAppSchema.nullable(),
  createdAt: z.number(),
});
export type TunnelDefinition = z.output<typeof TunnelDefinitionSchema>;

/** The file in the app's data dir. */
export const TUNNELS_FILE_NAME = 'tunnels.json';

const FileSchema = z.object({ version: z.literal(1), tunnels: z.array(z.unknown()) });

export interface TunnelDefinitionStoreOptions {
  /** Where a line about an unreadable file or a failed write goes (never a secret: none is kept). */
  log?: (line: string) => void;
}

/**
 * tunnels.json in the data dir. Writes are atomic (temp file + rename) and serialised, so a kill at
 * any instant leaves either the old or the new file. A corrupt file or entry is logged and skipped:
 * losing a tunnel definition must never keep the app from starting.
 */
export class TunnelDefinitionStore {
  private writes: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(
    readonly path: string,
    options: TunnelDefinitionStoreOptions = {},
  ) {
    this.log = options.log ?? ((line) => console.error(line));
  }

  async load(): Promise<TunnelDefinition[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.log(
        `tunnels: could not read ${this.path} (${(err as Error).message}); starting with no saved tunnels.`,
      );
      return [];
    }
    let parsed: z.output<typeof FileSchema>;
    try {
      parsed = FileSchema.parse(JSON.parse(text));
    } catch {
      this.log(
        `tunnels: ${this.path} is not a readable tunnel list; its tunnels are not restored (the file is left as it is until the next change).`,
      );
      return [];
    }
    const definitions: TunnelDefinition[] = [];
    for (const [index, entry] of parsed.tunnels.entries()) {
      const one = TunnelDefinitionSchema.safeParse(entry);
      if (one.success) definitions.push(one.data);
      else this.log(`tunnels: entry ${index + 1} of ${this.path} is malformed and was skipped.`);
    }
    return definitions;
  }

  /** Resolves once every write asked for so far is on disk. */
  flush(): Promise<void> {
    return this.writes;
  }

  /** Replaces the whole list; resolves once it is on disk. */
  save(definitions: readonly TunnelDefinition[]): Promise<void> {
    const snapshot = `${JSON.stringify({ version: 1, tunnels: definitions }, null, 2)}\n`;
    const write = this.writes.then(async () => {
      const tmp = `${this.path}.${process.pid}.tmp`;
      try {
        await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
        await writeFile(tmp, snapshot, { mode: 0o600 });
        await rename(tmp, this.path);
      } catch (err) {
        this.log(
          `tunnels: could not save ${this.path} (${(err as Error).message}); open tunnels may not come back after a restart.`,
        );
      }
    });
    this.writes = write;
    return write;
  }
}
