import { execFileSync } from 'node:child_process';
import { expect, type Page } from '@playwright/test';

/**
 * Removes the local runs (and sandbox instance containers) a test's app made: they carry the key
 * file of that app's data folder, so other tests' runs on the same engine are left alone.
 */
export function removeRunsOf(dataDir: string): void {
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
}

/**
 * From the app's first page: Vast → search → launch the demo template on the first offer in SSH
 * mode → confirm → wait until running → show the instances. Returns the new instance's id.
 */
export async function launchDemoOnSandbox(page: Page): Promise<string> {
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
  const instanceId = /Instance (\d+)/.exec(
    (await launching.getByTestId('launch-progress').textContent()) ?? '',
  )?.[1];
  expect(instanceId).toMatch(/^\d+$/);
  await launching.getByRole('button', { name: 'Show instances' }).click();
  return instanceId!;
}
