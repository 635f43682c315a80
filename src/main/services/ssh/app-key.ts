import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// Default import: ssh2 is CommonJS and Node's ESM loader cannot see `utils` as a named export.
import ssh2 from 'ssh2';
import { AppError } from '../../../shared/errors';
import { generateEd25519KeyPair } from './ed25519-keygen';

export interface AppKey {
  /** The OpenSSH private key file (mode 0600), usable with `ssh -i`. */
  privateKeyPath: string;
  publicKeyPath: string;
  /** The private key's file contents, as ssh2 wants them. */
  privateKey: Buffer;
  /** `ssh-ed25519 AAAA… tstudio@host`, the line that goes into authorized_keys. */
  publicKey: string;
}

const KEY_FILE = 'id_ed25519';

/**
 * The app's own ed25519 key, made on first use. It is a plain OpenSSH key file (no passphrase) kept
 * readable only by its owner, so the "copy SSH command" line with `-i` works with the stock client,
 * which refuses a key file that others can read.
 */
export class AppKeyStore {
  private loaded: Promise<AppKey> | null = null;

  constructor(
    /** A folder the app owns; the key lives in it as id_ed25519 and id_ed25519.pub. */
    private readonly dir: string,
    private readonly comment = 'template-studio',
  ) {}

  get privateKeyPath(): string {
    return join(this.dir, KEY_FILE);
  }

  /** Loads the key, generating it the first time. Concurrent callers share one generation. */
  get(): Promise<AppKey> {
    if (!this.loaded) {
      this.loaded = this.loadOrCreate();
      this.loaded.catch(() => (this.loaded = null));
    }
    return this.loaded;
  }

  private async loadOrCreate(): Promise<AppKey> {
    const privateKeyPath = this.privateKeyPath;
    const publicKeyPath = `${privateKeyPath}.pub`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const existing = await readExisting(privateKeyPath, publicKeyPath);
      if (existing) return existing;
      const pair = generateEd25519KeyPair(this.comment);
      // Write to temporary names and rename, so a crash never leaves half a key behind.
      await writeFile(`${privateKeyPath}.tmp`, pair.private, { mode: 0o600 });
      await writeFile(`${publicKeyPath}.tmp`, `${pair.public}\n`, { mode: 0o644 });
      await rename(`${publicKeyPath}.tmp`, publicKeyPath);
      await rename(`${privateKeyPath}.tmp`, privateKeyPath);
      return { privateKeyPath, publicKeyPath, privateKey: Buffer.from(pair.private), publicKey: pair.public };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError(
        'IO',
        `Could not read or create the app's SSH key in ${this.dir}: ${(err as Error).message}`,
      );
    }
  }
}

async function readExisting(privateKeyPath: string, publicKeyPath: string): Promise<AppKey | null> {
  let privateKey: Buffer;
  try {
    privateKey = await readFile(privateKeyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    throw new AppError(
      'IO',
      `The app's SSH key ${privateKeyPath} cannot be read (${parsed.message}). Move it away and the app will make a new one.`,
    );
  }
  // OpenSSH refuses keys that group or others can read; repair a mode loosened by a copy or a backup.
  if (process.platform !== 'win32' && ((await stat(privateKeyPath)).mode & 0o077) !== 0) {
    await chmod(privateKeyPath, 0o600);
  }
  const publicKey = `${parsed.type} ${parsed.getPublicSSH().toString('base64')} ${parsed.comment || 'template-studio'}`;
  let publicText: string | null = null;
  try {
    publicText = (await readFile(publicKeyPath, 'utf8')).trim();
  } catch {
    publicText = null;
  }
  if (publicText === null) await writeFile(publicKeyPath, `${publicKey}\n`, { mode: 0o644 });
  return { privateKeyPath, publicKeyPath, privateKey, publicKey: publicText || publicKey };
}
