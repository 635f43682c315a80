import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

// The app on its bundled sandbox, whose instances are real containers of the demo template: an
// instance card shows the instance's boot flow, read from its container.
test('a sandbox instance card shows its boot progress, ended as a summary that opens to the steps', async ({
  page,
  serve,
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-instance-boot-'));
  let instanceId: string | undefined;
  try {
    const s = await serve({ TSTUDIO_DATA_DIR: dataDir });
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Vast/ }).click();
    await page.getByRole('button', { name: 'Search offers' }).click();
    const table = page.getByRole('table', { name: 'Offers' });
    await table
      .getByRole('button', { name: /^Launch on offer/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: /^Launch on offer/ });
    await dialog.getByLabel('Launch mode').selectOption('ssh');
    await dialog.getByRole('button', { name: 'Review the launch' }).click();
    await page
      .getByRole('dialog', { name: 'Confirm the launch' })
      .getByRole('button', { name: /^Launch for \$/ })
      .click();
    const launching = page.getByRole('dialog', { name: 'Launching' });
    await expect(launching.getByTestId('launch-state')).toHaveText('running', { timeout: 120_000 });
    instanceId = /Instance (\d+)/.exec(
      (await launching.getByTestId('launch-progress').textContent()) ?? '',
    )?.[1];
    expect(instanceId).toMatch(/^\d+$/);
    await launching.getByRole('button', { name: 'Show instances' }).click();

    const card = page.getByRole('article', { name: `Instance ${instanceId}` });
    await expect(card.getByTestId('instance-status')).toHaveText('running');
    await card.getByRole('button', { name: 'Boot', exact: true }).click();
    const boot = card.getByRole('region', { name: 'Boot progress' });
    await expect(boot).toHaveAttribute('data-outcome', 'ready', { timeout: 60_000 });
    await expect(boot.getByRole('status')).toContainText('Booted: ready');
    await boot.getByRole('status').click();
    await expect(boot.getByRole('list', { name: 'Boot steps' }).getByRole('listitem')).toHaveCount(6);
    await expect(boot.getByRole('log', { name: 'Provisioning log' })).toContainText('Provisioning complete');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/screens/instance-boot.png' });
  } finally {
    // Only this test's containers: their key file lives in this test's data dir.
    const mine = execFileSync('docker', [
      'ps',
      '-a',
      '--filter',
      'label=tstudio.run=1',
      '--format',
      '{{.ID}} {{.Label "tstudio.run.identity-file"}}',
    ])
      .toString()
      .split('\n')
      .filter((l) => l.split(' ')[1]?.startsWith(dataDir))
      .map((l) => l.split(' ')[0]!);
    if (mine.length) execFileSync('docker', ['rm', '-f', ...mine], { stdio: 'ignore' });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
