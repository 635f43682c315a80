import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, statSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GuardedSecretStore } from './guarded-store';
import { MemorySecretStore } from './memory-store';

class BrokenKeychain extends MemorySecretStore {
  override async works(): Promise<boolean> {
    return false;
  }
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tstudio-secrets-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('GuardedSecretStore', () => {
  it('uses the keychain when it works, and writes no file', async () => {
    const keychain = new MemorySecretStore();
    const store = new GuardedSecretStore(keychain, dir);
    await store.set('k', 'SECRET-1');
    expect(await keychain.get('k')).toBe('SECRET-1');
    expect(await store.get('k')).toBe('SECRET-1');
    expect((await store.status()).backend).toBe('keychain');
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('refuses to store in plain text without the user saying yes', async () => {
    const store = new GuardedSecretStore(new BrokenKeychain(), dir);
    await expect(store.set('k', 'SECRET-2')).rejects.toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' });
    expect((await store.status()).backend).toBe('none');
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('stores in a 0600 file once the user accepted it, with a warning', async () => {
    const store = new GuardedSecretStore(new BrokenKeychain(), dir);
    store.acceptPlaintext(true);
    await store.set('k', 'SECRET-3');
    expect(await store.get('k')).toBe('SECRET-3');
    const file = join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain('SECRET-3');
    const status = await store.status();
    expect(status.backend).toBe('plaintext');
    expect(status.warning).toMatch(/keychain/i);
    store.acceptPlaintext(false);
    await expect(store.set('k2', 'x')).rejects.toMatchObject({ code: 'SECRET_STORE_UNAVAILABLE' });
  });
});
