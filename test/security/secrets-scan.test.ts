import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../chromium.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VastSandbox } from '../../src/main/services/vast';
import { REPO_ROOT, startServe, type ServeHandle } from '../integration/helpers/cli';
import { startRegistry, type TestRegistry } from '../integration/helpers/registry';
import { ShellClient } from './helpers/ws-client';
import { waitFor } from './helpers/test-app';

// Design rule 5: secrets never leave main. The main flows run with a recognisable fake Vast key and
// registry password; then every place a secret could leak to is searched for them.

const VAST_KEY = `FAKEKEY-${randomBytes(12).toString('hex')}`;
const REG_PASSWORD = `REGPASS-${randomBytes(12).toString('hex')}`;
const WRONG_PASSWORD = `REGWRONG-${randomBytes(12).toString('hex')}`;
const NONCE = `secrets-${Date.now()}`;
const demo = join(REPO_ROOT, 'resources', 'demo-template');

let tmp: string;
let sandbox: VastSandbox;
let registry: TestRegistry;
let serve: ServeHandle;
let stdout = '';
let image = '';

/** Each secret, and the encodings it could travel in (Basic auth, X-Registry-Auth, URL). */
function needles(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, secret] of [
    ['vast key', VAST_KEY],
    ['registry password', REG_PASSWORD],
    ['wrong registry password', WRONG_PASSWORD],
  ] as const) {
    out.push([name, secret]);
    out.push([`${name} (base64)`, Buffer.from(secret).toString('base64').slice(0, 20)]);
    out.push([`${name} (base64url)`, Buffer.from(secret).toString('base64url').slice(0, 20)]);
    out.push([`${name} (basic auth)`, Buffer.from(`tstudio:${secret}`).toString('base64').slice(0, 24)]);
  }
  return out;
}

function hits(where: string, text: string): string[] {
  return needles()
    .filter(([, n]) => text.includes(n))
    .map(([name]) => `${name} in ${where}`);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-secrets-'));
  mkdirSync(join(tmp, 'home'));
  sandbox = new VastSandbox({
    apiKey: VAST_KEY,
    timings: { provisionMs: 10, loadingMs: 20, transitionMs: 10 },
  });
  const vastUrl = await sandbox.start();
  registry = await startRegistry('tstudio', REG_PASSWORD);
  image = `${registry.host}/tstudio-test/secrets:${NONCE}`;
  serve = await startServe({
    TSTUDIO_DATA_DIR: join(tmp, 'data'),
    VAST_URL: vastUrl,
    HOME: join(tmp, 'home'),
  });
  serve.child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  await sandbox?.close();
  await registry?.stop();
  try {
    execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  } catch {
    // Not built.
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('secrets stay in main', () => {
  it('refuses to store a secret in plain text until the user accepts it', async () => {
    const c = await ShellClient.connect(serve);
    const refused = await c.result('vast:setKey', { apiKey: VAST_KEY });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SECRET_STORE_UNAVAILABLE' } });
    expect(JSON.stringify(refused)).not.toContain(VAST_KEY);
    const regRefused = await c.result('registry:setCredentials', {
      registry: registry.host,
      username: 'tstudio',
      password: REG_PASSWORD,
    });
    expect(regRefused).toMatchObject({ ok: false, error: { code: 'SECRET_STORE_UNAVAILABLE' } });
    c.close();
  });

  it('after the main flows, no secret is in the data folder, the output, the WebSocket or the page', async () => {
    const c = await ShellClient.connect(serve);
    await c.call('secrets:acceptPlaintext', { accept: true });
    await c.call('vast:setKey', { apiKey: VAST_KEY });
    const account = await c.call<{ hasKey: boolean; sandbox: boolean }>('vast:account', {});
    expect(account).toMatchObject({ hasKey: true, sandbox: false });
    const offers = await c.call<{ offers: { id: number }[] }>('vast:offers', { filters: {} });
    await c.call('vast:launch', { templatePath: demo, offerId: offers.offers[0]!.id, mode: 'ssh' });
    await waitFor('the instance', async () => (await c.call<unknown[]>('vast:instances', {})).length > 0);
    await c.result('vast:importableKey', {});

    await c.call('registry:setCredentials', {
      registry: registry.host,
      username: 'tstudio',
      password: REG_PASSWORD,
    });
    const ctx = join(tmp, 'ctx');
    mkdirSync(ctx);
    // FROM scratch: a push of a few bytes, not of the 400 MB base image.
    writeFileSync(join(ctx, 'nonce'), NONCE);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY nonce /nonce\n');
    const build = await c.call<{ operationId: string }>('builds:start', {
      contextDir: ctx,
      tags: [image],
      labels: { 'tstudio.test': '1' },
    });
    await waitFor(
      'the build',
      async () =>
        (await c.call<{ id: string; outcome: string }[]>('builds:history', {})).find(
          (r) => r.id === build.operationId && r.outcome === 'succeeded',
        ),
      60_000,
    );
    const opState = async (id: string) =>
      (
        await c.call<{ id: string; state: string; error: { code: string } | null }[]>('operations:list', {})
      ).find((o) => o.id === id && o.state !== 'running');
    // A wrong password first (its error must not echo it), then the stored one.
    const wrong = await c.call<{ operationId: string }>('pushes:start', {
      image,
      credentials: { username: 'tstudio', password: WRONG_PASSWORD },
    });
    const wrongDone = await waitFor('the refused push', () => opState(wrong.operationId), 60_000);
    expect(wrongDone.error?.code).toBe('REGISTRY_AUTH');
    const push = await c.call<{ operationId: string }>('pushes:start', { image });
    const pushed = await waitFor('the push', () => opState(push.operationId), 60_000);
    expect(pushed.state, JSON.stringify(pushed)).toBe('succeeded');

    // The renderer: the app's own page, through the same shell, on every view.
    const browser = await chromium.launch(chromiumLaunchOptions());
    let dom = '';
    let storage = '';
    const pageFrames: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('websocket', (ws) => ws.on('framereceived', (f) => pageFrames.push(String(f.payload))));
      await page.goto(serve.url);
      for (const view of ['Vast', 'Builds', 'Templates', 'Engine']) {
        await page.getByRole('button', { name: new RegExp(`^${view}`) }).click();
        await page.waitForLoadState('networkidle');
        dom += await page.content();
      }
      storage = await page.evaluate(() => {
        const g = globalThis as unknown as {
          localStorage: Record<string, string>;
          sessionStorage: Record<string, string>;
          document: { cookie: string };
        };
        return (
          JSON.stringify({ ...g.localStorage }) + JSON.stringify({ ...g.sessionStorage }) + g.document.cookie
        );
      });
    } finally {
      await browser.close();
    }

    const found: string[] = [];
    let filesScanned = 0;
    const dataDir = join(tmp, 'data');
    for (const file of [...filesUnder(dataDir), ...filesUnder(join(tmp, 'home'))]) {
      const rel = relative(tmp, file);
      // The one file the user agreed to keep secrets in (no keychain here); it must be private.
      if (rel === join('data', 'secrets.json')) {
        expect(statSync(file).mode & 0o077).toBe(0);
        // The control: the search does find the secrets where they are meant to be.
        expect(hits(rel, readFileSync(file, 'latin1')).length).toBeGreaterThan(0);
        continue;
      }
      filesScanned++;
      found.push(...hits(rel, readFileSync(file, 'latin1')));
    }
    found.push(...hits('stdout', stdout), ...hits('stderr', serve.stderr()));
    found.push(...hits('WebSocket frames (Node client)', c.frames.join('\n')));
    found.push(...hits('WebSocket frames (page)', pageFrames.join('\n')));
    found.push(...hits('DOM', dom), ...hits('storage', storage));
    console.log(
      `secrets scan: ${filesScanned} files, ${c.frames.length + pageFrames.length} WebSocket frames, ` +
        `${dom.length} chars of DOM, stdout+stderr ${stdout.length + serve.stderr().length} chars: ${found.length} hits`,
    );
    expect(found).toEqual([]);
    expect(filesScanned).toBeGreaterThan(3);
    expect(c.frames.length).toBeGreaterThan(10);
    c.close();
  });
});
