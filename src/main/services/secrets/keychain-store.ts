import { AsyncEntry } from '@napi-rs/keyring';
import { AppError } from '../../../shared/errors';
import type { SecretStore } from './secret-store';

const SERVICE = 'template-studio';

/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, the Secret Service on Linux) through
 * @napi-rs/keyring. On Linux the entry is pinned to the Secret Service: the library would otherwise
 * fall back to the kernel keyring, which forgets everything at logout, and the user would lose keys.
 */
export class KeychainSecretStore implements SecretStore {
  private entry(name: string): AsyncEntry {
    return process.platform === 'linux'
      ? new AsyncEntry(SERVICE, name, { linux: { store: 'secret-service' } })
      : new AsyncEntry(SERVICE, name);
  }

  async get(name: string): Promise<string | null> {
    try {
      return await this.entry(name).getPassword();
    } catch (err) {
      throw unavailable(err);
    }
  }

  async set(name: string, value: string): Promise<void> {
    try {
      await this.entry(name).setPassword(value);
    } catch (err) {
      throw unavailable(err);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.entry(name).deletePassword();
    } catch (err) {
      throw unavailable(err);
    }
  }

  /** True when a probe entry can be written, read back and removed. */
  async works(): Promise<boolean> {
    const probe = `probe-${process.pid}-${Date.now()}`;
    try {
      await this.set(probe, 'ok');
      const back = await this.get(probe);
      await this.delete(probe);
      return back === 'ok';
    } catch {
      return false;
    }
  }
}

function unavailable(err: unknown): AppError {
  // The library's message can name the backend's internals, never a secret: it is safe to include.
  const cause = err instanceof Error ? err.message : String(err);
  return new AppError(
    'SECRET_STORE_UNAVAILABLE',
    `The OS keychain is not available (${cause}). On Linux, unlock your keyring (GNOME Keyring or KWallet) and try again.`,
  );
}
