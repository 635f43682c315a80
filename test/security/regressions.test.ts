import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/main/app';
import { dispatch } from '../../src/main/rpc';
import { GuardedSecretStore, MemorySecretStore } from '../../src/main/services/secrets';

// Each case here is a counterexample the fuzzers found once, pinned so it stays fixed.

let tmp: string;
let app: App;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-regressions-'));
  const dataDir = join(tmp, 'data');
  mkdirSync(join(tmp, 'templates'), { recursive: true });
  app = createApp({
    shell: 'browser',
    dataDir,
    home: join(tmp, 'home'),
    env: { PATH: process.env.PATH },
    dockerEndpoint: {
      url: `unix://${join(tmp, 'none.sock')}`,
      source: 'DOCKER_HOST',
      context: null,
      reason: 'test',
    },
    secrets: new GuardedSecretStore(new MemorySecretStore(), dataDir),
    engineRetryMs: 60_000,
  });
});

afterAll(async () => {
  await app.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe('fuzz counterexamples', () => {
  it('templates:save of a manifest edit where there is no template.yml is NOT_FOUND, not INTERNAL', async () => {
    const root = join(tmp, 'templates');
    const scaffolded = await dispatch(app.handlers, 'templates:scaffold', {
      class: 'derivative',
      name: 'one',
      dir: root,
    });
    expect(scaffolded.ok, JSON.stringify(scaffolded)).toBe(true);
    const opened = await dispatch(app.handlers, 'templates:open', { path: join(root, 'one') });
    expect(opened.ok, JSON.stringify(opened)).toBe(true);
    const result = await dispatch(app.handlers, 'templates:save', {
      kind: 'manifest',
      root: join(root, 'one'),
      template: 'templates/no-such-template',
      edits: [{ op: 'setOnstart', value: null }],
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('symbolic links in a template folder', () => {
  it('do not let templates:readFile or templates:save reach outside the opened folder', async () => {
    const { symlinkSync, writeFileSync, existsSync, mkdtempSync: mk } = await import('node:fs');
    const root = join(tmp, 'templates');
    await dispatch(app.handlers, 'templates:scaffold', { class: 'derivative', name: 'linked', dir: root });
    const folder = join(root, 'linked');
    expect((await dispatch(app.handlers, 'templates:open', { path: folder })).ok).toBe(true);
    const outside = mk(join(tmp, 'outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE-CONTENT');
    symlinkSync(outside, join(folder, 'link'));
    symlinkSync(join(outside, 'secret.txt'), join(folder, 'file-link'));

    for (const file of ['link/secret.txt', 'file-link']) {
      const read = await dispatch(app.handlers, 'templates:readFile', { root: folder, file });
      expect(read, file).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(JSON.stringify(read)).not.toContain('OUTSIDE-CONTENT');
    }
    const saved = await dispatch(app.handlers, 'templates:save', {
      kind: 'file',
      root: folder,
      file: 'link/written.txt',
      text: 'x',
    });
    expect(saved).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(existsSync(join(outside, 'written.txt'))).toBe(false);
    // Files inside, new or old, still work.
    expect(
      (
        await dispatch(app.handlers, 'templates:save', {
          kind: 'file',
          root: folder,
          file: 'inside.txt',
          text: 'y',
        })
      ).ok,
    ).toBe(true);
    expect(
      (await dispatch(app.handlers, 'templates:readFile', { root: folder, file: 'Dockerfile' })).ok,
    ).toBe(true);
  });
});
