import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { launchDemoOnSandbox, removeRunsOf } from './helpers';

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
    instanceId = await launchDemoOnSandbox(page);

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
    removeRunsOf(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
