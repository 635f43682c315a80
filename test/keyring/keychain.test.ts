import { describe, expect, it } from 'vitest';
import { KeychainSecretStore } from '../../src/main/services/secrets';

/**
 * Talks to the real OS keychain. On Linux that needs a D-Bus session with an unlocked Secret Service;
 * scripts/with-keyring.sh provides one (dbus-run-session + gnome-keyring-daemon) when installed.
 */
const store = new KeychainSecretStore();
const available = await store.works();
const skipReason = available
  ? ''
  : ' (skipped: no unlocked Secret Service on this machine; run through scripts/with-keyring.sh)';

describe('the OS keychain', () => {
  it.skipIf(!available)(`stores, reads back and deletes a secret${skipReason}`, async () => {
    const name = `test-${process.pid}`;
    await store.set(name, 'KEYRING-VALUE-123');
    expect(await store.get(name)).toBe('KEYRING-VALUE-123');
    await store.delete(name);
    expect(await store.get(name)).toBeNull();
  });

  it.runIf(!available)(
    `reports itself unavailable with what to do, instead of storing anywhere else${available ? ' (skipped: this machine has a working keychain)' : ''}`,
    async () => {
      await expect(store.set('x', 'y')).rejects.toMatchObject({
        code: 'SECRET_STORE_UNAVAILABLE',
        message: expect.stringMatching(/keyring/i),
      });
    },
  );
});
