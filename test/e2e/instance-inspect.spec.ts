import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { launchDemoOnSandbox } from './helpers';

// A sandbox instance is a real container of the demo image with a real sshd: the card reads its
// supervisor programs and utilisation over SSH and opens its declared tunnels, as on Vast.
test('an instance card shows its programs and utilisation over SSH and opens its tunnels', async ({
  page,
  serve,
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-instance-inspect-'));
  const s = await serve({ TSTUDIO_DATA_DIR: dataDir });
  let instanceId: string | undefined;
  try {
    await page.goto(s.url);
    instanceId = await launchDemoOnSandbox(page);

    const card = page.getByRole('article', { name: `Instance ${instanceId}` });
    await card.getByRole('button', { name: 'Programs' }).click();
    const programs = card.getByRole('table', { name: 'Supervisor programs' });
    // The demo's programs in every state: flaky fails for good, extras is skipped by PORTAL_CONFIG.
    await expect(programs).toContainText('FATAL', { timeout: 90_000 });
    await expect(programs).toContainText('SKIPPED');
    await expect(programs).toContainText('RUNNING');
    const metrics = card.getByRole('region', { name: `Utilisation of instance ${instanceId}` });
    await expect(metrics.getByTestId('instance-metrics')).toContainText(/CPU\s*\d+ %/, { timeout: 30_000 });
    // The sandbox has no GPU: said so, no numbers made up.
    await expect(metrics.getByTestId('instance-gpu')).toContainText('nvidia-smi is not on this instance');

    await card.getByRole('button', { name: /^Open its tunnels/ }).click();
    const tunnels = card.getByRole('list', { name: `Tunnels of ${instanceId}` });
    await expect(tunnels.getByRole('button', { name: 'Open Demo Web App' })).toBeEnabled({ timeout: 30_000 });
    await page.screenshot({ path: 'test-results/screens/instance-inspect.png', fullPage: true });

    await card.getByRole('button', { name: 'Log of webapp' }).click();
    await expect(card.getByRole('log', { name: 'Log of webapp' })).not.toBeEmpty({ timeout: 30_000 });
  } finally {
    if (instanceId) {
      const card = page.getByRole('article', { name: `Instance ${instanceId}` });
      await card.getByRole('button', { name: 'Destroy…' }).click();
      const destroy = page.getByRole('dialog', { name: /Destroy/ });
      await destroy.getByRole('textbox').fill(instanceId);
      await destroy.getByRole('button', { name: 'Destroy for good' }).click();
      await expect(card).toHaveCount(0, { timeout: 30_000 });
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});
