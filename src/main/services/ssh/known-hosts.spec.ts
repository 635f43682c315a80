import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// Default import: ssh2 is CommonJS and Node's ESM loader cannot see `utils` as a named export.
import ssh2 from 'ssh2';
import { AppKeyStore } from './app-key';
import { generateEd25519KeyPair } from './ed25519-keygen';
import { keyTypeOf, sha256Fingerprint } from './fingerprint';
import { KnownHosts, hostKeyMismatchError } from './known-hosts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function hostKeyBlob(): Buffer {
  const pair = generateEd25519KeyPair('test');
  const parsed = ssh2.utils.parseKey(pair.public);
  if (parsed instanceof Error) throw parsed;
  return parsed.getPublicSSH();
}

describe('fingerprints', () => {
  it('match what ssh-keygen -l prints for the same key', async () => {
    const store = new AppKeyStore(dir);
    const key = await store.get();
    const { execFileSync } = await import('node:child_process');
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', key.publicKeyPath], {
      encoding: 'utf8',
    });
    const blob = Buffer.from(key.publicKey.split(' ')[1] ?? '', 'base64');
    expect(printed.split(' ')[1]).toBe(sha256Fingerprint(blob));
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
  });
});

describe('AppKeyStore', () => {
  it('creates an OpenSSH key with mode 0600 once and loads the same key afterwards', async () => {
    const first = await new AppKeyStore(join(dir, 'keys')).get();
    expect(first.privateKey.toString()).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect((await stat(first.privateKeyPath)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.publicKeyPath, 'utf8')).trim()).toBe(first.publicKey);
    const again = await new AppKeyStore(join(dir, 'keys')).get();
    expect(again.publicKey).toBe(first.publicKey);
  });
});

describe('KnownHosts', () => {
  it('knows nothing at first, remembers a key per host and port, and survives a reload', async () => {
    const file = join(dir, 'known-hosts.json');
    const hosts = new KnownHosts(file);
    const blob = hostKeyBlob();
    const first = await hosts.check('127.0.0.1', 2222, blob);
    expect(first.verdict).toBe('unknown');
    if (first.verdict !== 'unknown') return;
    await hosts.remember('127.0.0.1', 2222, first.key.fingerprint, first.key.keyType);
    expect((await new KnownHosts(file).check('127.0.0.1', 2222, blob)).verdict).toBe('trusted');
    // Same address, other port: another machine.
    expect((await hosts.check('127.0.0.1', 2223, blob)).verdict).toBe('unknown');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reports a changed key as a mismatch until the new one is accepted deliberately', async () => {
    const hosts = new KnownHosts(join(dir, 'kh.json'));
    const oldKey = hostKeyBlob();
    const newKey = hostKeyBlob();
    await hosts.remember('h', 22, sha256Fingerprint(oldKey), 'ssh-ed25519');
    const check = await hosts.check('h', 22, newKey);
    expect(check.verdict).toBe('mismatch');
    await hosts.acceptNewKey('h', 22, sha256Fingerprint(newKey));
    expect((await hosts.check('h', 22, newKey)).verdict).toBe('trusted');
    expect((await hosts.list())[0]?.keyType).toBe('ssh-ed25519');
    await expect(hosts.acceptNewKey('h', 22, 'nonsense')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('names both fingerprints and the way out in the mismatch error', () => {
    const err = hostKeyMismatchError('h', 2200, 'SHA256:old', 'SHA256:new');
    expect(err.code).toBe('SSH_HOST_KEY_MISMATCH');
    expect(err.message).toContain('SHA256:old');
    expect(err.message).toContain('SHA256:new');
    expect(err.message).toMatch(/accept the new key/);
  });
});
