import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI, REPO_ROOT } from '../integration/helpers/cli';
import { test, expect } from './fixtures';
import { removeRunsOf } from './helpers';

/** `tstudio sandbox` in its own process, driven over its REST API like any Vast client. */
async function startSandbox(apiKey: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'sandbox', '--api-key', apiKey], { cwd: REPO_ROOT });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tstudio sandbox exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
  if (!url) throw new Error(`no URL in: ${line}`);
  return { url, child };
}

function vast(url: string, apiKey: string) {
  return async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
}

interface RawInstance {
  id: number;
  actual_status: string | null;
  dph_total: number;
  storage_cost: number | null;
  disk_space: number;
}

// Monitoring and notifications in the browser shell. The app polls fast here
// (TSTUDIO_MONITOR_INTERVAL_MS); the product never lists instances more often than every 10 s.
test.describe('Monitor and notifications', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-monitor-'));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a failed build raises a toast that leads to the Builds view', async ({ page, serve }) => {
    const ctx = join(dir, 'broken');
    mkdirSync(ctx);
    writeFileSync(
      join(ctx, 'Dockerfile'),
      `FROM tstudio/base:bookworm\nRUN echo nonce-${Date.now()} && exit 3\n`,
    );
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data'), TSTUDIO_MONITOR_INTERVAL_MS: '1000' });
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Builds/ }).click();
    await page.getByLabel('Build context (the image folder)').fill(ctx);
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    // Somewhere else when it fails: the toast is what tells the user.
    await page.getByRole('button', { name: /^Monitor/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Monitor' })).toBeVisible();

    const toasts = page.getByRole('region', { name: 'Notifications' });
    const toast = toasts.getByRole('button', { name: /^Build failed/ });
    await expect(toast).toBeVisible({ timeout: 60_000 });
    await expect(toasts).toHaveAttribute('aria-live', 'polite');
    await toast.click();
    await expect(page).toHaveURL(/#\/builds$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Builds' })).toBeVisible();
    await expect(toast).toHaveCount(0);
    // Once per event: polls after it raise nothing more about it.
    const pollsBefore = await page.evaluate(
      () => (globalThis as { __tstudioMonitorUpdateMs?: number[] }).__tstudioMonitorUpdateMs?.length ?? 0,
    );
    await expect
      .poll(() =>
        page.evaluate(
          () => (globalThis as { __tstudioMonitorUpdateMs?: number[] }).__tstudioMonitorUpdateMs?.length ?? 0,
        ),
      )
      .toBeGreaterThanOrEqual(pollsBefore + 2);
    await expect(toasts.getByRole('button', { name: /^Build failed/ })).toHaveCount(0);
  });

  test('sandbox instances show up in the fleet overview with counts and total $/h', async ({
    page,
    serve,
  }) => {
    const apiKey = `e2e-monitor-${Date.now()}`;
    const { url, child } = await startSandbox(apiKey);
    try {
      const call = vast(url, apiKey);
      const instances = async () => (await call('GET', '/instances/')).instances as RawInstance[];
      const offers = (
        await call('POST', '/bundles/', { rentable: { eq: true }, rented: { eq: false }, limit: 10 })
      ).offers as { id: number }[];
      const ids: number[] = [];
      for (let n = 0; n < 5; n++) {
        const created = await call('PUT', `/asks/${offers[n]!.id}/`, {
          image: 'busybox:latest',
          runtype: 'args',
          label: `mon-e2e-${n}`,
          disk: 10,
        });
        ids.push(created.new_contract as number);
      }
      await expect
        .poll(async () => (await instances()).filter((i) => i.actual_status === 'running').length, {
          timeout: 30_000,
        })
        .toBe(5);
      await call('PUT', `/instances/${ids[4]}/`, { state: 'stopped' });
      await expect
        .poll(async () => (await instances()).find((i) => i.id === ids[4])?.actual_status, {
          timeout: 30_000,
        })
        .toBe('stopped');
      const all = await instances();
      const expectedPerHour =
        all.filter((i) => i.actual_status === 'running').reduce((sum, i) => sum + i.dph_total, 0) +
        all
          .filter((i) => i.actual_status === 'stopped')
          .reduce((sum, i) => sum + ((i.storage_cost ?? 0) * i.disk_space) / 720, 0);

      // No keychain on the test machine: the key goes to the private file the user would accept.
      const data = join(dir, 'data');
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, 'secrets-plaintext-accepted'), 'e2e\n');
      writeFileSync(join(data, 'secrets.json'), JSON.stringify({ 'vast-api-key': apiKey }), { mode: 0o600 });
      const s = await serve({ TSTUDIO_DATA_DIR: data, VAST_URL: url, TSTUDIO_MONITOR_INTERVAL_MS: '500' });
      await page.goto(`${s.url}#/monitor`);

      const overview = page.getByRole('region', { name: 'Fleet overview' });
      // Other local runs may live on this engine: the Vast counts are the ones this test controls.
      await expect(overview.getByTestId('fleet-instances')).toHaveText('5 on Vast');
      await expect(overview.getByTestId('instance-count-running')).toHaveText('4 running');
      await expect(overview.getByTestId('instance-count-stopped')).toHaveText('1 stopped');
      await expect(overview.getByTestId('fleet-per-hour')).toHaveText(`$${expectedPerHour.toFixed(3)}/h`);
      // Every instance is listed, with a chart per row, and its detail charts open on a click.
      const rows = page.getByRole('list', { name: 'Instances and runs' });
      await expect(rows.getByRole('button', { name: /mon-e2e-/ })).toHaveCount(5);
      await rows.getByRole('button', { name: /mon-e2e-0/ }).click();
      const detail = page.getByRole('region', { name: 'Charts of mon-e2e-0' });
      await expect(detail.getByRole('img', { name: 'CPU of mon-e2e-0' })).toBeVisible();
      await expect(detail.locator('canvas').first()).toBeVisible();

      // A destroyed instance leaves the overview at the next poll.
      await call('DELETE', `/instances/${ids[0]}/`);
      await expect(overview.getByTestId('fleet-instances')).toHaveText('4 on Vast');
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('a program in the demo template fails and a notification appears that leads to its log', async ({
    page,
    serve,
  }) => {
    const data = join(dir, 'data');
    const s = await serve({ TSTUDIO_DATA_DIR: data, TSTUDIO_MONITOR_INTERVAL_MS: '1000' });
    try {
      await page.goto(s.url);
      await page.getByRole('button', { name: /^Local runs/ }).click();
      await page.getByRole('button', { name: 'Run the demo (SSH mode)' }).click();
      // The user is elsewhere when the program dies: the toast is what tells them.
      await page.getByRole('button', { name: /^Monitor/ }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Monitor' })).toBeVisible();

      // `flaky` exits at once every time; supervisord gives up after its retries: FATAL.
      const toasts = page.getByRole('region', { name: 'Notifications' });
      const toast = toasts.getByRole('button', { name: /^flaky is FATAL in / });
      await expect(toast).toBeVisible({ timeout: 180_000 });
      await toast.click();
      await expect(page).toHaveURL(/#\/runs$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Local runs' })).toBeVisible();
      // The place it leads to: that program's log, open and showing what it printed.
      const anchor = page.locator('#program-log-flaky');
      await expect(anchor).toBeVisible({ timeout: 15_000 });
      // What the program printed before it died, not the empty log's placeholder.
      await expect(anchor.getByRole('log', { name: 'Log of flaky' })).toContainText('failing on purpose', {
        timeout: 15_000,
      });
      await expect(toast).toHaveCount(0);
      await page.screenshot({ path: 'test-results/screens/monitor-program-failed.png' });
    } finally {
      removeRunsOf(dir);
    }
  });

  test("a run's boot progress shows the boot flow's steps, the provisioning log and the outcome", async ({
    page,
    serve,
  }) => {
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data'), TSTUDIO_MONITOR_INTERVAL_MS: '1000' });
    try {
      await page.goto(s.url);
      await page.getByRole('button', { name: /^Local runs/ }).click();
      await page.getByRole('button', { name: 'Run the demo (SSH mode)' }).click();
      await expect(page.getByRole('status', { name: 'Run progress' })).toContainText(/Ready in/, {
        timeout: 180_000,
      });
      // The run just started is the one shown: its name, to find its row among others on the engine.
      const runName = (
        (await page.getByRole('article', { name: /^Run / }).getAttribute('aria-label')) ?? ''
      ).replace(/^Run /, '');
      expect(runName).toMatch(/^tstudio-run-/);
      await page.getByRole('button', { name: /^Monitor/ }).click();
      const rows = page.getByRole('list', { name: 'Instances and runs' });
      await rows
        .getByRole('button', { name: new RegExp(`^${runName} local run`) })
        .click({ timeout: 30_000 });
      const boot = page.getByRole('region', { name: 'Boot progress' });
      await expect(boot).toHaveAttribute('data-outcome', 'ready', { timeout: 60_000 });
      // Ended: a one-line summary, folded; opened, the same steps, every one passed, in order.
      const summary = boot.getByRole('status');
      await expect(summary).toContainText('Booted: ready');
      await expect(summary).toContainText('6 of 6 steps');
      await summary.click();
      const steps = boot.getByRole('list', { name: 'Boot steps' }).getByRole('listitem');
      await expect(steps).toHaveCount(6);
      expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual([
        'started',
        'onstart',
        'boot-stages',
        'supervisor',
        'provisioning',
        'ready',
      ]);
      expect(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(
        Array(6).fill('done'),
      );
      await expect(boot.getByRole('log', { name: 'Provisioning log' })).toContainText(
        'Provisioning complete',
      );
      await page.screenshot({ path: 'test-results/screens/monitor-boot-progress.png' });
    } finally {
      removeRunsOf(dir);
    }
  });

  test('the Vast view keeps only the cards near the viewport in the page with 300 instances', async ({
    page,
    serve,
  }) => {
    const apiKey = `e2e-grid-${Date.now()}`;
    const { url, child } = await startSandbox(apiKey);
    try {
      const call = vast(url, apiKey);
      const offers = (
        await call('POST', '/bundles/', { rentable: { eq: true }, rented: { eq: false }, limit: 64 })
      ).offers as { id: number }[];
      const COUNT = 300;
      for (let i = 0; i < COUNT; i += 50) {
        await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            call('PUT', `/asks/${offers[(i + j) % offers.length]!.id}/`, {
              image: 'busybox:latest',
              runtype: 'args',
              label: `grid-${String(i + j).padStart(3, '0')}`,
              disk: 10,
            }),
          ),
        );
      }
      const data = join(dir, 'data');
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, 'secrets-plaintext-accepted'), 'e2e\n');
      writeFileSync(join(data, 'secrets.json'), JSON.stringify({ 'vast-api-key': apiKey }), { mode: 0o600 });
      const s = await serve({ TSTUDIO_DATA_DIR: data, VAST_URL: url });
      await page.goto(`${s.url}#/vast`);
      await page.getByRole('tab', { name: /^Instances/ }).click();
      await expect(page.getByText(`${COUNT} instances`)).toBeVisible({ timeout: 30_000 });
      const cards = page.locator('article.vast-instance');
      await expect(cards.first()).toBeVisible();
      // A few rows of cards, not 300.
      expect(await cards.count()).toBeLessThan(40);
      // The newest first: scrolling to the end brings the oldest card (grid-000) into the page.
      await page.locator('.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await expect(page.getByRole('heading', { name: /grid-000$/ })).toBeVisible({ timeout: 10_000 });
      expect(await cards.count()).toBeLessThan(40);
      // Rows are measured as their cards grow (a loading card opens its boot progress): none overlaps.
      const overlaps = () =>
        page.locator('.vast-instance-row').evaluateAll((rows) => {
          const boxes = rows.map((r) => r.getBoundingClientRect()).sort((a, b) => a.top - b.top);
          return boxes.filter((b, i) => i > 0 && b.top < boxes[i - 1]!.bottom - 1).length;
        });
      await expect.poll(overlaps, { timeout: 10_000 }).toBe(0);
      await page.screenshot({ path: 'test-results/screens/vast-300-instances.png' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
