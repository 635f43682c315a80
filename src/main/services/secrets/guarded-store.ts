import { existsSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { SecretStore, SecretStoreStatus } from './secret-store';
import { PlaintextFileSecretStore } from './plaintext-store';

export interface KeychainLike extends SecretStore {
  works(): Promise<boolean>;
}

/**
 * The store the app uses: the keychain when it works; otherwise nothing, unless the user has said
 * yes to a plaintext file (remembered as a marker file in the data folder). Reading still works from
 * the plaintext file once accepted; without acceptance every write is refused with a clear error.
 */
export class GuardedSecretStore implements SecretStore {
  private keychainWorks: Promise<boolean>;
  private readonly plaintext: PlaintextFileSecretStore;
  private readonly acceptMarker: string;

  constructor(
    private readonly keychain: KeychainLike,
    dataDir: string,
  ) {
    this.keychainWorks = keychain.works();
    this.plaintext = new PlaintextFileSecretStore(join(dataDir, 'secrets.json'));
    this.acceptMarker = join(dataDir, 'secrets-plaintext-accepted');
  }

  async status(): Promise<SecretStoreStatus> {
    if (await this.keychainWorks) return { backend: 'keychain', warning: null };
    if (existsSync(this.acceptMarker)) {
      return {
        backend: 'plaintext',
        warning:
          'No OS keychain: secrets are kept in a file only your user can read, as you accepted. Unlock a keyring to store them safely.',
      };
    }
    return {
      backend: 'none',
      warning:
        'No OS keychain is available, so the app cannot store secrets. Unlock your keyring, or accept storing them in a private file.',
    };
  }

  /** The user's explicit yes (or no) to a plaintext file when no keychain works. */
  acceptPlaintext(accept: boolean): void {
    if (accept) writeFileSync(this.acceptMarker, `${new Date().toISOString()}\n`, { mode: 0o600 });
    else rmSync(this.acceptMarker, { force: true });
  }

  /** Checks the keychain again (after the user unlocked it). */
  recheck(): void {
    this.keychainWorks = this.keychain.works();
  }

  private async backend(): Promise<SecretStore> {
    const status = await this.status();
    if (status.backend === 'keychain') return this.keychain;
    if (status.backend === 'plaintext') return this.plaintext;
    throw new AppError('SECRET_STORE_UNAVAILABLE', status.warning ?? 'No place to store secrets.');
  }

  async get(name: string): Promise<string | null> {
    const status = await this.status();
    if (status.backend === 'none') return null;
    return (await this.backend()).get(name);
  }

  async set(name: string, value: string): Promise<void> {
    await (await this.backend()).set(name, value);
  }

  async delete(name: string): Promise<void> {
    const status = await this.status();
    if (status.backend === 'none') return;
    await (await this.backend()).delete(name);
  }
}
