import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../../../shared/errors';
import { keyTypeOf, sha256Fingerprint } from './fingerprint';

/** One remembered host key. */
export interface KnownHostEntry {
  host: string;
  port: number;
  /** `ssh-ed25519`…; `unknown` for a key accepted by fingerprint before it was ever seen. */
  keyType: string;
  /** `SHA256:…` as OpenSSH prints it. */
  fingerprint: string;
  addedAt: number;
}

/** A host key the app has not seen before for this host and port. */
export interface UnknownHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

/**
 * What to do with a host key seen for the first time: remember it (`accept-new`, OpenSSH's
 * StrictHostKeyChecking=accept-new, right for local runs), refuse it until accepted explicitly
 * (`strict`), or ask someone (a function: the UI, a CLI prompt) who answers true to trust it.
 */
export type HostKeyPolicy = 'accept-new' | 'strict' | ((key: UnknownHostKey) => Promise<boolean> | boolean);

export type HostKeyCheck =
  | { verdict: 'trusted'; fingerprint: string }
  | { verdict: 'unknown'; key: UnknownHostKey }
  | { verdict: 'mismatch'; fingerprint: string; remembered: KnownHostEntry };

interface FileShape {
  version: 1;
  hosts: KnownHostEntry[];
}

function hostKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}

/**
 * Trust on first use, remembered per host AND port: Vast and local runs put many machines behind one
 * address (ssh5.vast.ai:12345, 127.0.0.1:32768), so a host alone would mix their keys up.
 * Kept as JSON in the app's data folder; OpenSSH's known_hosts is left alone.
 */
export class KnownHosts {
  private entries: Map<string, KnownHostEntry> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {}

  async list(): Promise<KnownHostEntry[]> {
    const entries = await this.load();
    return [...entries.values()]
      .map((e) => ({ ...e }))
      .sort((a, b) => hostKey(a.host, a.port).localeCompare(hostKey(b.host, b.port)));
  }

  async check(host: string, port: number, keyBlob: Buffer): Promise<HostKeyCheck> {
    const entries = await this.load();
    const fingerprint = sha256Fingerprint(keyBlob);
    const remembered = entries.get(hostKey(host, port));
    if (!remembered)
      return { verdict: 'unknown', key: { host, port, keyType: keyTypeOf(keyBlob), fingerprint } };
    if (remembered.fingerprint !== fingerprint)
      return { verdict: 'mismatch', fingerprint, remembered: { ...remembered } };
    if (remembered.keyType === 'unknown') await this.remember(host, port, fingerprint, keyTypeOf(keyBlob));
    return { verdict: 'trusted', fingerprint };
  }

  /** Remembers a key seen on first use. */
  async remember(host: string, port: number, fingerprint: string, keyType: string): Promise<KnownHostEntry> {
    const entries = await this.load();
    const entry: KnownHostEntry = { host, port, keyType, fingerprint, addedAt: Date.now() };
    entries.set(hostKey(host, port), entry);
    await this.save();
    return { ...entry };
  }

  /**
   * Trusts a key deliberately, replacing whatever was remembered: the way out of a host key
   * mismatch after a machine was rebuilt. The fingerprint must be the one the mismatch error named,
   * so the user accepts the key they were shown and not whatever answers next.
   */
  async acceptNewKey(host: string, port: number, fingerprint: string): Promise<KnownHostEntry> {
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) {
      throw new AppError(
        'VALIDATION',
        `"${fingerprint}" is not a SHA256 fingerprint like SHA256:AbC…(43 characters).`,
      );
    }
    const entries = await this.load();
    const previous = entries.get(hostKey(host, port));
    const keyType = previous?.fingerprint === fingerprint ? previous.keyType : 'unknown';
    return this.remember(host, port, fingerprint, keyType);
  }

  async forget(host: string, port: number): Promise<boolean> {
    const entries = await this.load();
    const existed = entries.delete(hostKey(host, port));
    if (existed) await this.save();
    return existed;
  }

  private async load(): Promise<Map<string, KnownHostEntry>> {
    if (this.entries) return this.entries;
    let parsed: FileShape = { version: 1, hosts: [] };
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8')) as FileShape;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new AppError(
          'IO',
          `The known hosts file ${this.file} cannot be read (${(err as Error).message}). Fix or remove it.`,
        );
      }
    }
    const entries = new Map<string, KnownHostEntry>();
    for (const e of Array.isArray(parsed.hosts) ? parsed.hosts : []) {
      if (typeof e?.host === 'string' && typeof e.port === 'number' && typeof e.fingerprint === 'string') {
        entries.set(hostKey(e.host, e.port), {
          host: e.host,
          port: e.port,
          keyType: String(e.keyType ?? 'unknown'),
          fingerprint: e.fingerprint,
          addedAt: Number(e.addedAt ?? 0),
        });
      }
    }
    this.entries ??= entries;
    return this.entries;
  }

  private save(): Promise<void> {
    const snapshot: FileShape = { version: 1, hosts: [...(this.entries?.values() ?? [])] };
    // Writes are chained so two quick accepts cannot interleave and lose one.
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    return this.writing;
  }
}

export function hostKeyMismatchError(
  host: string,
  port: number,
  remembered: string,
  presented: string,
): AppError {
  return new AppError(
    'SSH_HOST_KEY_MISMATCH',
    `The SSH host key of ${host}:${port} has changed: the app remembered ${remembered} but the host now presents ${presented}. ` +
      `This happens when the machine or container was recreated, and also when someone intercepts the connection, so the app refused to connect. ` +
      `If you expect the change, accept the new key deliberately (Accept new key in the app, or --accept-host-key ${presented} on the command line) and connect again.`,
    { host, port, remembered, presented },
  );
}

export function hostKeyUnknownError(key: UnknownHostKey): AppError {
  return new AppError(
    'SSH_HOST_KEY_UNKNOWN',
    `The app has never seen ${key.host}:${key.port} before; its ${key.keyType} key has the fingerprint ${key.fingerprint}. ` +
      `Check it and accept it (in the app, or --accept-host-key ${key.fingerprint} on the command line), then connect again.`,
    { ...key },
  );
}
