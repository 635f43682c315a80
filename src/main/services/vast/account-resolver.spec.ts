import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findImportableVastKey, VastAccountResolver } from './account-resolver';
import { VastClient } from './vast-client';

const home = mkdtempSync(join(tmpdir(), 'tstudio-vast-acct-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('VastAccountResolver', () => {
  it('uses the sandbox when no key is stored, started once, and a stored key otherwise', async () => {
    let stored: string | null = null;
    const resolver = new VastAccountResolver({
      getStoredKey: async () => stored,
      baseUrl: 'https://example.invalid/',
    });
    try {
      const [a, b] = await Promise.all([resolver.connection(), resolver.connection()]);
      expect(a).toMatchObject({ sandbox: true, hasKey: false });
      expect(b.baseUrl).toBe(a.baseUrl);
      expect((await new VastClient({ apiKey: a.apiKey, baseUrl: a.baseUrl }).currentUser()).email).toBe(
        'sandbox@localhost',
      );
      stored = 'real-key';
      expect(await resolver.connection()).toEqual({
        apiKey: 'real-key',
        baseUrl: 'https://example.invalid',
        sandbox: false,
        hasKey: true,
      });
    } finally {
      await resolver.dispose();
    }
  });
});

describe('findImportableVastKey', () => {
  it('looks where the vast CLI looks, env first', () => {
    expect(findImportableVastKey({}, home)).toBeNull();
    mkdirSync(join(home, '.config', 'vastai'), { recursive: true });
    writeFileSync(join(home, '.vast_api_key'), 'legacy\n');
    expect(findImportableVastKey({}, home)).toEqual({
      source: 'file',
      path: join(home, '.vast_api_key'),
      key: 'legacy',
    });
    writeFileSync(join(home, '.config', 'vastai', 'vast_api_key'), 'current\n');
    expect(findImportableVastKey({}, home)?.key).toBe('current');
    expect(findImportableVastKey({ VAST_API_KEY: ' env ' }, home)).toEqual({
      source: 'VAST_API_KEY',
      path: null,
      key: 'env',
    });
  });
});
