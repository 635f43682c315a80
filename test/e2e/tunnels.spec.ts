import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServe, type ServeHandle } from '../integration/helpers/cli';
import { test, expect } from './fixtures';

const DEMO_SOURCE = join(import.meta.dirname, '..', '..', 'resources', 'demo-template');
const SHOTS = '/tmp/shots';

test.describe('tunnels in the browser shell', () => {
  let dir: string;
  let unmanaged: ServeHandle | null = null;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-tunnels-'));
    mkdirSync(SHOTS, { recursive: true });
  });
  test.afterEach(() => {
    if (unmanaged && unmanaged.child.exitCode === null && unmanaged.child.signalCode === null)
      unmanaged.child.kill('SIGKILL');
    unmanaged = null;
    const ids = execFileSync('docker', [
      'ps',
      '-aq',
      '--filter',
      'label=tstudio.run=1',
      '--filter',
      `label=tstudio.run.source=${DEMO_SOURCE}`,
    ])
      .toString()
      .split('\n')
      .filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  test('says what the view is for when no tunnel is open', async ({ page, serve }) => {
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Tunnels/ }).click();
    await expect(page.getByRole('status')).toContainText('No tunnels open');
    await expect(page.getByRole('table', { name: 'Tunnels' })).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/tunnels-empty.png` });
  });

  test("one click opens a run's declared tunnels; Open carries the portal token; they come back after a kill", async ({
    page,
    serve,
  }) => {
    // Building nothing, but starting the demo run and waiting for it takes a while on a busy machine.
    test.setTimeout(300_000);
    const dataDir = join(dir, 'data');
    // Started here, not by the fixture: it is killed with SIGKILL below, which the fixture's stop() does not expect.
    const first = await startServe({ TSTUDIO_DATA_DIR: dataDir });
    unmanaged = first;
    await page.goto(first.url);
    await page.getByRole('button', { name: /^Local runs/ }).click();
    await page.getByRole('button', { name: 'Run the demo (SSH mode)' }).click();
    await expect(page.getByRole('status', { name: 'Run progress' })).toContainText(/Ready in \d+\.\d s/, {
      timeout: 180_000,
    });

    await page.getByRole('button', { name: /^Tunnels/ }).click();
    await expect(page.getByLabel('Run or instance')).toContainText(/Run .+ \([0-9a-f]{12}\)/);
    await page.getByRole('button', { name: /^Open its declared tunnels/ }).click();
    const web = page.getByTestId('tunnel-18000');
    await expect(web).toContainText('Demo Web App');
    await expect(web).toContainText('up');
    await expect(page.getByRole('list', { name: /^Tunnels of / })).toContainText('Open Demo Web App');
    await page.screenshot({ path: `${SHOTS}/tunnels-declared.png` });
    const local = Number((await web.locator('td').first().textContent())?.match(/127\.0\.0\.1:(\d+)/)?.[1]);
    expect(local).toBeGreaterThan(0);

    // Open: a new tab on the app's local port with the run's OPEN_BUTTON_TOKEN, answered by the app.
    const containerId = execFileSync('docker', [
      'ps',
      '-q',
      '--filter',
      'label=tstudio.run=1',
      '--filter',
      `label=tstudio.run.source=${DEMO_SOURCE}`,
    ])
      .toString()
      .trim()
      .split('\n')[0]!;
    const token = execFileSync('docker', [
      'inspect',
      '-f',
      '{{range .Config.Env}}{{println .}}{{end}}',
      containerId,
    ])
      .toString()
      .split('\n')
      .find((l) => l.startsWith('OPEN_BUTTON_TOKEN='))!
      .slice('OPEN_BUTTON_TOKEN='.length);
    // The web app starts after provisioning ends, so it may answer a moment after the run is ready.
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${local}/`).catch(() => null))?.status, {
        timeout: 60_000,
      })
      .toBe(200);
    const [tab] = await Promise.all([
      page.context().waitForEvent('page'),
      web.getByRole('button', { name: 'Open Demo Web App' }).click(),
    ]);
    await tab.waitForLoadState();
    const opened = new URL(tab.url());
    expect(opened.host).toBe(`127.0.0.1:${local}`);
    expect(opened.searchParams.get('token')).toBe(token);
    await expect(tab.getByRole('heading', { name: 'Demo Web App' })).toBeVisible();
    await tab.close();

    // Killed without a clean exit; a saved tunnel whose run is gone is added to show the failed state.
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const file = join(dataDir, 'tunnels.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.tunnels.push({
      id: 'gone-run-tunnel',
      targetRef: 'deadbeef0042',
      resolved: { host: '127.0.0.1', port: 1, user: 'root' },
      remoteHost: '127.0.0.1',
      remotePort: 17860,
      localPort: 0,
      app: { name: 'A web app whose PORTAL_CONFIG name goes on and on and on', openPath: '/' },
      createdAt: Date.now(),
    });
    writeFileSync(file, JSON.stringify(saved));

    const second = await serve({ TSTUDIO_DATA_DIR: dataDir });
    await page.goto(second.url);
    await page.getByRole('button', { name: /^Tunnels/ }).click();
    await expect(web).toContainText('up');
    await expect(web.locator('td').first()).toHaveText(`127.0.0.1:${local}`);
    expect((await fetch(`http://127.0.0.1:${local}/`)).status).toBe(200);
    const failed = page.getByTestId('tunnel-17860');
    await expect(failed).toContainText('failed');
    await expect(failed).toContainText(/There is no run deadbeef0042/);
    await expect(failed.getByRole('button', { name: 'Retry tunnel to 17860' })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/tunnels-list.png`, fullPage: true });

    // Close forgets it for good.
    await failed.getByRole('button', { name: 'Close tunnel to 17860' }).click();
    await expect(failed).toHaveCount(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).tunnels.map((t: { id: string }) => t.id)).not.toContain(
      'gone-run-tunnel',
    );
  });
});
