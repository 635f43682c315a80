import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { AppKeyStore } from '../../src/main/services/ssh';
import { runCli } from '../integration/helpers/cli';
import { startSshdContainer, type SshdContainer } from '../integration/helpers/sshd-container';
import { test, expect } from './fixtures';

const DEMO = join(import.meta.dirname, '..', '..', 'resources', 'demo-template');
const SHOTS = process.env.TSTUDIO_SHOTS_DIR ?? 'test-results/screens';

/** The DOM renderer, so the terminal's text can be read from the page (the default draws with WebGL). */
async function useDomRenderer(page: Page): Promise<void> {
  await page.addInitScript(() =>
    (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(
      'tstudio.terminal.renderer',
      'dom',
    ),
  );
}

async function typeInTerminal(page: Page, text: string): Promise<void> {
  await page.locator('.terminal-pane:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

test.describe('terminals in the browser shell', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-terminals-'));
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a docker exec terminal on an args-mode run (no sshd): type a command, read its output, see the exit code', async ({
    page,
    serve,
  }) => {
    const data = join(dir, 'data');
    const started = await runCli(['run', DEMO, '--mode', 'args', '--json'], {
      env: { TSTUDIO_DATA_DIR: data },
      timeoutMs: 180_000,
    });
    expect(started.code, started.stderr).toBe(0);
    const run = JSON.parse(started.stdout) as { id: string; ssh: unknown };
    expect(run.ssh).toBeNull();
    try {
      const s = await serve({ TSTUDIO_DATA_DIR: data });
      await useDomRenderer(page);
      await page.goto(s.url);
      await page.getByRole('button', { name: /^Terminals/ }).click();
      await page.getByLabel('Terminal target').fill(run.id);
      // Args mode starts no sshd: the view offers docker exec only.
      const via = page.getByLabel('Open the terminal via');
      await expect(page.getByTestId('terminal-via-hint')).toContainText('docker exec only');
      await expect(via).toHaveValue('docker-exec');
      await expect(via.locator('option[value="ssh"]')).toBeDisabled();
      await page.getByRole('button', { name: 'Open terminal' }).click();

      const rows = page.locator('.xterm-rows');
      await expect(rows).toContainText('root@', { timeout: 30_000 });
      await typeInTerminal(page, 'echo "exec in $VAST_CONTAINERLABEL: $((6*7))"\n');
      await expect(rows).toContainText(/exec in C\.\d+: 42/);
      await page.screenshot({ path: join(SHOTS, 'terminals-docker-exec.png') });

      await typeInTerminal(page, 'exit 3\n');
      await expect(page.getByRole('status').filter({ hasText: 'exit code 3' })).toBeVisible();
      await expect(page.getByRole('tab', { selected: true })).toContainText('docker exec');
      await expect(page.getByRole('tab', { selected: true })).toContainText('ended');
      await page.screenshot({ path: join(SHOTS, 'terminals-ended.png') });
    } finally {
      execFileSync('docker', ['rm', '-f', run.id], { stdio: 'ignore' });
    }
  });

  test('an SSH terminal whose sshd dies says it is reconnecting, refuses typing visibly, and comes back in the same tab', async ({
    page,
    serve,
  }) => {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    // The app's own key, made before the app starts so the throwaway sshd can trust it.
    const key = await new AppKeyStore(join(data, 'ssh')).get();
    let sshd: SshdContainer | null = null;
    try {
      sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
      const s = await serve({ TSTUDIO_DATA_DIR: data });
      await useDomRenderer(page);
      await page.goto(s.url);
      await page.getByRole('button', { name: /^Terminals/ }).click();
      await page.getByLabel('Terminal target').fill(`root@127.0.0.1:${sshd.port}`);
      await expect(page.getByLabel('Open the terminal via')).toHaveValue('ssh');
      await page.getByRole('button', { name: 'Open terminal' }).click();
      const rows = page.locator('.xterm-rows');
      await expect(rows).toContainText('root@', { timeout: 30_000 });
      await typeInTerminal(page, 'echo before-$((1+1))\n');
      await expect(rows).toContainText('before-2');

      await sshd.stopSshd();
      const banner = page.getByTestId('terminal-reconnecting');
      await expect(banner).toContainText('Connection lost — reconnecting', { timeout: 30_000 });
      await expect(rows).toContainText('[connection lost — reconnecting…]');
      await expect(page.getByRole('tab', { selected: true })).toContainText('reconnecting');
      await typeInTerminal(page, 'lost');
      await expect(banner).toContainText('4 characters not sent');
      await page.screenshot({ path: join(SHOTS, 'terminals-reconnecting.png') });

      await sshd.startSshd();
      await expect(banner).toBeHidden({ timeout: 60_000 });
      await expect(rows).toContainText('[reconnected]');
      await expect(page.getByRole('tab')).toHaveCount(1);
      await typeInTerminal(page, 'echo after-$((2+3))\n');
      await expect(rows).toContainText('after-5');
      await page.screenshot({ path: join(SHOTS, 'terminals-reconnected.png') });
    } finally {
      await sshd?.remove();
    }
  });
});
