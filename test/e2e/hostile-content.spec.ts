import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { parseDocument } from 'yaml';
import type { ServeHandle } from '../integration/helpers/cli';
import { test, expect } from './fixtures';

// Text that others wrote — a template folder's name and fields, a build's output, a Vast instance's
// label — reaches the page. It must be shown as text: no element made from it, no script run, no
// title changed by an escape sequence, no dialog, nothing executed on this machine.

const HTML = '<img src=x onerror=window.__pwned=1>';
const SHELL = '"; rm -rf / #';
const SUBST = '$(touch /tmp/pwned)';
const OSC_TITLE = '\x1b]0;pwned-title\x07';
const CLEAR = '\x1b[2J';
const demo = join(import.meta.dirname, '..', '..', 'resources', 'demo-template');
const HOSTILE_TAG = 'tstudio-test/hostile:1';

async function wsCall(
  s: ServeHandle,
  name: string,
  input: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: unknown }> {
  const ws = new WebSocket(`${s.origin.replace('http', 'ws')}/ws`, {
    headers: { Origin: s.origin, cookie: `tstudio_token=${s.token}` },
  });
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return await new Promise((resolve) => {
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString()) as { t: string; id?: number; result?: never };
        if (msg.t === 'result' && msg.id === 1) resolve(msg.result!);
      });
      ws.send(JSON.stringify({ t: 'call', id: 1, name, input }));
    });
  } finally {
    ws.close();
  }
}

test.describe('hostile content is inert', () => {
  let dir: string;
  let dialogs: string[];
  test.beforeEach(async ({ page }) => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-hostile-'));
    // Only a file this test could have caused: it is created by nothing else on a test machine.
    rmSync('/tmp/pwned', { force: true });
    dialogs = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  test.afterEach(async ({ page }) => {
    expect(await page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    if (page.url() !== 'about:blank') expect(await page.title()).toBe('Template Studio');
    expect(dialogs).toEqual([]);
    expect(existsSync('/tmp/pwned')).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a template whose folder name, fields, env and Dockerfile hold HTML, shell and escapes', async ({
    page,
    serve,
  }) => {
    const folder = join(dir, HTML);
    cpSync(demo, folder, { recursive: true });
    const manifestPath = join(folder, 'templates', 'default', 'template.yml');
    const doc = parseDocument(readFileSync(manifestPath, 'utf8'));
    doc.set('name', `${HTML} ${OSC_TITLE}`);
    doc.set('image', `tstudio/demo${HTML}`);
    doc.set('onstart', `${SUBST}; ${SHELL}`);
    doc.setIn(['env', 'EVIL'], `${SHELL} ${SUBST} ${CLEAR}`);
    doc.setIn(['env', 'PORTAL_CONFIG'], `localhost:8000:18000:/:${HTML}`);
    writeFileSync(manifestPath, doc.toString());
    writeFileSync(
      join(folder, 'Dockerfile'),
      `${readFileSync(join(folder, 'Dockerfile'), 'utf8')}\nLABEL evil="${HTML}"\nFROM ${HTML}\n`,
    );

    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    await page.goto(s.url);
    await page.getByLabel('Template folder').fill(folder);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect(page.getByRole('navigation', { name: 'Images' })).toContainText(HTML);
    await expect(page.getByLabel('Image', { exact: true })).toHaveValue(`tstudio/demo${HTML}`);
    // The lint names the broken image and the stray FROM in plain words.
    await expect(page.getByTestId('lint-summary')).toHaveText(/^[1-9]\d* errors?/);
    await expect(page.locator('body')).toContainText(HTML);
    await page.screenshot({ path: 'test-results/screens/hostile-template.png' });
  });

  test('a build whose log prints HTML and terminal escape sequences', async ({ page, serve }) => {
    const ctx = join(dir, 'ctx');
    mkdirSync(ctx);
    // printf's format is single-quoted: the container prints the payloads, it does not run them.
    writeFileSync(
      join(ctx, 'Dockerfile'),
      [
        'FROM tstudio/base:bookworm',
        `RUN echo nonce-${Date.now()} && printf '%s\\n' '${HTML}' '${SUBST}' && printf '\\033]0;pwned-title\\007\\033[2Jafter-escapes\\n'`,
        '',
      ].join('\n'),
    );
    try {
      const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
      await page.goto(s.url);
      await page.getByRole('button', { name: /^Builds/ }).click();
      await page.getByLabel('Build context (the image folder)').fill(ctx);
      await page.getByLabel('Tags (comma-separated)').fill(HOSTILE_TAG);
      await page.getByRole('button', { name: 'Build', exact: true }).click();
      const log = page.getByRole('log', { name: 'Build log' });
      await expect(log).toContainText(HTML, { timeout: 60_000 });
      await expect(log).toContainText(SUBST);
      await expect(log).toContainText('after-escapes');
      await expect(page.getByTestId('build-result')).toContainText(HOSTILE_TAG, { timeout: 60_000 });
      await page.screenshot({ path: 'test-results/screens/hostile-build.png' });
    } finally {
      try {
        execFileSync('docker', ['rmi', '-f', HOSTILE_TAG], { stdio: 'ignore' });
      } catch {
        // Not built.
      }
    }
  });

  test('a Vast instance labelled with HTML (sandbox)', async ({ page, serve }) => {
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    const offers = (await wsCall(s, 'vast:offers', { filters: {} })) as {
      ok: boolean;
      value: { offers: { id: number }[] };
    };
    expect(offers.ok).toBe(true);
    const label = `${HTML} ${SHELL} ${OSC_TITLE}`;
    const launched = await wsCall(s, 'vast:launch', {
      templatePath: demo,
      offerId: offers.value.offers[0]!.id,
      mode: 'ssh',
      label,
    });
    expect(launched.ok, JSON.stringify(launched)).toBe(true);
    let instanceId = 0;
    await expect
      .poll(
        async () => {
          const r = (await wsCall(s, 'vast:instances', {})) as { value?: { id: number }[] };
          instanceId = r.value?.[0]?.id ?? 0;
          return instanceId;
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0);
    // Relabel it too: the label then comes back from the API's own store, as any other user's would.
    expect((await wsCall(s, 'vast:label', { id: instanceId, label })).ok).toBe(true);

    await page.goto(s.url);
    await page.getByRole('button', { name: /^Vast/ }).click();
    await page.getByRole('tab', { name: /^Instances/ }).click();
    const card = page.getByRole('article', { name: `Instance ${instanceId}` });
    await expect(card.getByRole('heading', { level: 3 })).toContainText(HTML);
    await expect(card.getByRole('heading', { level: 3 })).toContainText(SHELL);
    await page.screenshot({ path: 'test-results/screens/hostile-vast.png' });
  });
});
