import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

function context(dir: string, name: string, dockerfile: string): string {
  const ctx = join(dir, name);
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
  return ctx;
}

test.describe('builds in the browser shell', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-build-'));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    try {
      execFileSync('docker', ['rmi', '-f', 'tstudio-test/e2e-build:1'], { stdio: 'ignore' });
    } catch {
      // Not built.
    }
  });

  test('a build keeps its whole log and live state when the user leaves the view and comes back', async ({
    page,
    serve,
  }) => {
    const ctx = context(
      dir,
      'ok',
      [
        'FROM tstudio/base:bookworm',
        'ARG GREETING=hello',
        // A fresh nonce per run: a cached step would print nothing.
        `RUN echo nonce-${Date.now()} && for i in $(seq 1 300); do echo "e2e line $i $GREETING"; done`,
        'RUN sleep 2 && echo finished-marker',
        '',
      ].join('\n'),
    );
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Builds/ }).click();
    await page.getByLabel('Build context (the image folder)').fill(ctx);
    await expect(page.getByLabel('Value of GREETING')).toHaveAttribute('placeholder', 'hello');
    await page.getByLabel('Tags (comma-separated)').fill('tstudio-test/e2e-build:1');
    await page.getByRole('button', { name: 'Build', exact: true }).click();

    const log = page.getByRole('log', { name: 'Build log' });
    await expect(log).toContainText('e2e line 300 hello');
    // Leave for another view while it still runs, then come back.
    await page.getByRole('button', { name: /^Engine/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Docker engine' })).toBeVisible();
    await page.getByRole('button', { name: /^Builds/ }).click();
    await expect(page.getByTestId('build-result')).toContainText('tstudio-test/e2e-build:1', {
      timeout: 60_000,
    });
    await expect(log).toContainText('finished-marker');
    // The step outline lists the RUN steps, and the log still starts at the beginning.
    await expect(page.getByRole('list', { name: 'Steps' })).toContainText('RUN sleep 2');
    await page.getByLabel('Search Build log').fill('e2e line 1 hello');
    await expect(page.locator('.log-count')).toHaveText(/^1 of 1$/);
    // Typing jumps to the first match, far above the followed end.
    await expect(log.locator('.log-line-current')).toContainText('e2e line 1 hello');
    await page.screenshot({ path: 'test-results/screens/builds.png' });
    // After a reload the build comes back from main (history and replay).
    await page.reload();
    await page.getByRole('button', { name: /^Builds/ }).click();
    await expect(page.getByRole('navigation', { name: 'Build history' })).toContainText(
      'tstudio-test/e2e-build:1',
    );
  });

  test('cancel stops a running build', async ({ page, serve }) => {
    const ctx = context(
      dir,
      'slow',
      ['FROM tstudio/base:bookworm', `RUN echo started-sleeping-${Date.now()} && sleep 120`, ''].join('\n'),
    );
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Builds/ }).click();
    await page.getByLabel('Build context (the image folder)').fill(ctx);
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    await expect(page.getByRole('log', { name: 'Build log' })).toContainText('started-sleeping', {
      timeout: 60_000,
    });
    await page.getByRole('button', { name: 'Cancel build' }).click();
    await expect(page.locator('.build-header .outcome')).toHaveText('cancelled', { timeout: 20_000 });
    // Nothing of the build keeps running on the engine: BuildKit kills the step's process (a runc
    // process, not a container) just after the request ends, so wait for that, within a deadline.
    const sleeping = () =>
      execFileSync('ps', ['-eo', 'args'])
        .toString()
        .split('\n')
        .filter((l) => l.trim() === `sleep 120`).length;
    await expect.poll(sleeping, { timeout: 15_000, intervals: [100, 250, 500] }).toBe(0);
  });

  test('a failing RUN says which step failed and what the daemon said', async ({ page, serve }) => {
    const ctx = context(
      dir,
      'fail',
      ['FROM tstudio/base:bookworm', `RUN echo about-to-fail ${Date.now()} && exit 3`, ''].join('\n'),
    );
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Builds/ }).click();
    await page.getByLabel('Build context (the image folder)').fill(ctx);
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    const error = page.getByTestId('build-error');
    await expect(error).toContainText('exit 3', { timeout: 60_000 });
    await expect(error).toContainText(/Step failed: .*RUN echo about-to-fail/);
    await expect(page.locator('.log-step-failed')).toHaveCount(1);
  });
});
