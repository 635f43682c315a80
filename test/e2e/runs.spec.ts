import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

/** What supervisorctl itself prints for a program inside the container. */
function supervisorctlState(containerId: string, program: string): string {
  try {
    return (
      execFileSync('docker', ['exec', containerId, 'supervisorctl', 'status', program])
        .toString()
        .trim()
        .split(/\s+/)[1] ?? ''
    );
  } catch (err) {
    // supervisorctl exits 3 for EXITED/FATAL programs; its output is still the answer.
    return (
      String((err as { stdout?: Buffer }).stdout ?? '')
        .trim()
        .split(/\s+/)[1] ?? ''
    );
  }
}

test.describe('local runs in the browser shell', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-runs-'));
  });
  test.afterEach(() => {
    // Remove the runs this test's app made (they carry its data dir in no label, so by name prefix of the list).
    const ids = execFileSync('docker', [
      'ps',
      '-aq',
      '--filter',
      'label=tstudio.run=1',
      '--filter',
      `label=tstudio.run.source=${join(import.meta.dirname, '..', '..', 'resources', 'demo-template')}`,
    ])
      .toString()
      .split('\n')
      .filter(Boolean);
    if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  test('one click runs the demo template in SSH mode; it becomes ready and its programs show their states', async ({
    page,
    serve,
  }) => {
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    // The DOM renderer, so the terminal's text can be read from the page (the default draws with WebGL).
    await page.addInitScript(() =>
      (
        globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
      ).localStorage.setItem('tstudio.terminal.renderer', 'dom'),
    );
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Local runs/ }).click();
    await page.getByRole('button', { name: 'Run the demo (SSH mode)' }).click();
    await expect(page.getByRole('status', { name: 'Run progress' })).toContainText(/Ready in \d+\.\d s/, {
      timeout: 180_000,
    });
    await expect(page.getByTestId('run-state')).toHaveText('running');

    const programs = page.getByRole('table', { name: 'Supervisor programs' });
    await expect(page.getByTestId('program-webapp')).toContainText('RUNNING', { timeout: 30_000 });
    await expect(page.getByTestId('program-extras')).toContainText('SKIPPED', { timeout: 30_000 });
    await expect(page.getByTestId('program-flaky')).toContainText('FATAL', { timeout: 60_000 });
    await expect(page.getByTestId('provisioning')).toContainText('complete');
    await page.screenshot({ path: 'test-results/screens/runs.png' });

    // The container's own output: /.launch says on it when the run became ready.
    await page.getByRole('button', { name: 'Show output' }).click();
    await expect(page.getByRole('log', { name: /^Output of run / })).toContainText(
      '[tstudio-launch] ready (ssh mode)',
    );
    await page.screenshot({ path: 'test-results/screens/runs-output.png' });

    // The run the view shows, found by the container name in its heading (not "some ssh run").
    const heading = await page.getByRole('heading', { level: 2, name: /^tstudio-run-\d+/ }).textContent();
    const name = /tstudio-run-\d+/.exec(heading ?? '')![0];
    const containerId = execFileSync('docker', ['ps', '-q', '--filter', `name=^/${name}$`])
      .toString()
      .trim();
    expect(containerId).toMatch(/^[0-9a-f]{12}$/);
    // The list row carries the run's ports as the engine published them.
    const sshPort = execFileSync('docker', ['port', containerId, '22/tcp'])
      .toString()
      .trim()
      .split(':')
      .pop();
    await expect(page.getByRole('list', { name: 'Runs' })).toContainText(`22→${sshPort}`);
    // The detail says how long the run took to become ready.
    await expect(page.getByTestId('run-ready-time')).toHaveText(/ready in \d+\.\d s/);

    // The view says what supervisorctl says, program by program.
    expect(supervisorctlState(containerId, 'webapp')).toBe('RUNNING');
    expect(supervisorctlState(containerId, 'flaky')).toBe('FATAL');
    expect(await programs.textContent()).toContain('webapp');

    // A program's log, followed live.
    await page.getByRole('button', { name: 'Log of webapp' }).click();
    await expect(page.getByRole('log', { name: 'Log of webapp' })).not.toBeEmpty();

    // A terminal on the run: type a command, read its output from the rendered terminal.
    await page.getByRole('button', { name: 'Terminal', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Terminals' })).toBeVisible();
    const rows = page.locator('.xterm-rows');
    await expect(rows).toContainText('root@', { timeout: 30_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo "label=$VAST_CONTAINERLABEL sum=$((6*7))"\n');
    await expect(rows).toContainText(/label=C\.\d+ sum=42/);
    await page.screenshot({ path: 'test-results/screens/terminal.png' });

    // Vast's tmux auto-attach, switched off from the terminal's toolbar: ~/.no_auto_tmux appears.
    const tmux = page.getByRole('checkbox', { name: 'tmux on login' });
    await expect(tmux).toBeChecked();
    // The box shows what the target says after the switch, so its state changes once main answers.
    await tmux.click();
    await expect(tmux).not.toBeChecked();
    execFileSync('docker', ['exec', containerId, 'test', '-f', '/root/.no_auto_tmux']);

    // A tunnel to the web app's internal port, opened from the Tunnels view, and a fetch through it.
    await page.getByRole('button', { name: /^Tunnels/ }).click();
    await page.getByLabel('Tunnel target').fill(containerId.slice(0, 12));
    await page.getByLabel('Remote port').fill('18000');
    await page.getByRole('button', { name: 'Open tunnel' }).click();
    const row = page.getByTestId('tunnel-18000');
    await expect(row).toContainText('up');
    const local = Number((await row.locator('td').first().textContent())?.match(/127\.0\.0\.1:(\d+)/)?.[1]);
    expect(local).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${local}/`);
    expect(response.status).toBe(200);
    await expect(row).toContainText(/[1-9]\d* total/);
    await page.screenshot({ path: 'test-results/screens/tunnels.png' });
  });
});
