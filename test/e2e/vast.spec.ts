import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

// The test process has no keychain and no Vast key, so the app runs on its bundled sandbox, whose
// instances are real containers on the local engine (the demo image is built when it is missing).
const SCREENS = 'test-results/screens';

test.describe('Vast view on the sandbox', () => {
  let dataDir: string;
  test.beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-vast-'));
  });
  test.afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('search offers, launch the demo template in ssh mode, open a terminal on it, relabel it, destroy it', async ({
    page,
    serve,
  }) => {
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    const s = await serve({ TSTUDIO_DATA_DIR: dataDir });
    // The DOM renderer, so the terminal's text can be read from the page (the default draws with WebGL).
    await page.addInitScript(() =>
      (
        globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }
      ).localStorage.setItem('tstudio.terminal.renderer', 'dom'),
    );
    await page.goto(s.url);
    await page.getByRole('button', { name: /^Vast/ }).click();
    await expect(page.getByText('Sandbox — no money is spent')).toBeVisible();
    await expect(page.getByRole('tabpanel')).toContainText('Search the market');
    await page.screenshot({ path: `${SCREENS}/vast-empty.png` });

    // Every machine, verified or not, to see a long list.
    await page.getByLabel('Verified machines only').uncheck();
    await page.getByRole('button', { name: 'Search offers' }).click();
    const table = page.getByRole('table', { name: 'Offers' });
    const rows = table.locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThan(50);

    await page.getByText('The exact query sent').click();
    const query = page.getByLabel('Query sent');
    await expect(query).toBeVisible();
    const sent = JSON.parse((await query.textContent()) ?? '{}') as Record<string, unknown>;
    expect(sent.type).toBe('on-demand');
    expect(sent.order).toEqual([['dph_total', 'asc']]);
    expect(sent).not.toHaveProperty('verified');
    await page.screenshot({ path: `${SCREENS}/vast-offers-query.png` });
    await table.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SCREENS}/vast-offers.png` });

    // Keyboard: the table is one tab stop; ↓ moves to the next offer, Enter opens its launch dialog.
    const launchButtons = table.getByRole('button', { name: /^Launch on offer/ });
    await launchButtons.first().focus();
    await page.keyboard.press('End');
    await expect(launchButtons.last()).toBeFocused();
    await page.screenshot({ path: `${SCREENS}/vast-offers-end.png` });
    await page.keyboard.press('Home');
    await expect(launchButtons.first()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    const second = launchButtons.nth(1);
    await expect(second).toBeFocused();
    const offerId = /offer (\d+)/.exec((await second.getAttribute('aria-label')) ?? '')?.[1];
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: `Launch on offer ${offerId}` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel(/^Template/)).toHaveValue(/demo-template$/);
    await dialog.getByLabel('Launch mode').selectOption('ssh');
    await page.screenshot({ path: `${SCREENS}/vast-launch.png` });
    await dialog.getByRole('button', { name: 'Review the launch' }).click();

    const confirm = page.getByRole('dialog', { name: 'Confirm the launch' });
    const cost = confirm.getByTestId('launch-cost');
    await expect(cost).toContainText(/\$\d+\.\d+\/h/);
    await expect(cost).toContainText(/\d+ GB/);
    await expect(confirm.getByLabel('What will be sent')).toContainText('tstudio/demo');
    await page.screenshot({ path: `${SCREENS}/vast-confirm.png` });
    await confirm.getByRole('button', { name: /^Launch for \$/ }).click();

    const launching = page.getByRole('dialog', { name: 'Launching' });
    await expect(launching.getByTestId('launch-state')).toHaveText('running', { timeout: 60_000 });
    const instanceId = /Instance (\d+)/.exec(
      (await launching.getByTestId('launch-progress').textContent()) ?? '',
    )?.[1];
    expect(instanceId).toMatch(/^\d+$/);
    await page.screenshot({ path: `${SCREENS}/vast-launched.png` });
    await launching.getByRole('button', { name: 'Show instances' }).click();

    const card = page.getByRole('article', { name: `Instance ${instanceId}` });
    await expect(card.getByTestId('instance-status')).toHaveText('running');
    await expect(card).toContainText('created by the app');
    await expect(card).toContainText(/ssh -p \d+ root@/);
    await page.screenshot({ path: `${SCREENS}/vast-instance.png` });

    // The sandbox instance is a real container: open a terminal on it and run a command there.
    await card.getByRole('button', { name: 'Open terminal' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Terminals' })).toBeVisible();
    const terminalRows = page.locator('.xterm-rows');
    await expect(terminalRows).toContainText('root@', { timeout: 30_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo "on=$CONTAINER_ID as=$(whoami) sum=$((6*7))"\n');
    // CONTAINER_ID is the Vast instance id inside the container, as on Vast.
    await expect(terminalRows).toContainText(`on=${instanceId} as=root sum=42`);
    await page.screenshot({ path: `${SCREENS}/vast-terminal.png` });
    await page.getByRole('button', { name: /^Vast/ }).click();
    await expect(card.getByTestId('instance-status')).toHaveText('running');

    // The cleanup list knows the app made it.
    await page.getByRole('tab', { name: /^Cleanup/ }).click();
    await expect(page.getByRole('table', { name: 'Instances the app created' })).toContainText(
      `#${instanceId}`,
    );
    await page.screenshot({ path: `${SCREENS}/vast-cleanup.png` });
    await page.getByRole('tab', { name: /^Instances/ }).click();

    const label = 'e2e relabelled instance with a rather long name, to see how the card copes';
    await card.getByRole('button', { name: 'Relabel' }).click();
    await card.getByLabel(`New label for instance ${instanceId}`).fill(label);
    await card.getByRole('button', { name: 'Save label' }).click();
    await expect(card.getByRole('heading', { level: 3 })).toHaveText(label);
    // Still relabelled after the list is read again from the sandbox.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect(card.getByRole('heading', { level: 3 })).toHaveText(label);

    await card.getByRole('button', { name: 'Logs' }).click();
    // The container's own output, through the request_logs flow.
    await expect(card.getByRole('log', { name: `Logs of instance ${instanceId}` })).toContainText(
      '[tstudio-launch] ready (ssh mode)',
    );
    await page.screenshot({ path: `${SCREENS}/vast-instance-logs.png` });

    await card.getByRole('button', { name: 'Destroy…' }).click();
    const destroy = page.getByRole('dialog', { name: `Destroy instance ${instanceId}?` });
    const destroyButton = destroy.getByRole('button', { name: 'Destroy for good' });
    await expect(destroyButton).toBeDisabled();
    await destroy.getByLabel('Label or id to confirm').fill('not the label');
    await expect(destroyButton).toBeDisabled();
    await destroy.getByLabel('Label or id to confirm').fill(label);
    await page.screenshot({ path: `${SCREENS}/vast-destroy.png` });
    await destroyButton.click();
    await expect(destroy).toBeHidden();
    await expect(card).toHaveCount(0);
    // Gone on the sandbox too, not only from the screen.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect(page.getByRole('tabpanel')).toContainText('No instances');
    await expect(card).toHaveCount(0);
    await page.getByRole('tab', { name: /^Cleanup/ }).click();
    await expect(page.getByRole('tabpanel')).toContainText('Nothing the app created is still there');
    // React's warnings (keys, nesting, state updates) land in the console: the flow must make none.
    expect(consoleErrors).toEqual([]);
  });

  test('publish the demo template to the account, see it listed, delete it', async ({ page, serve }) => {
    const s = await serve({ TSTUDIO_DATA_DIR: dataDir });
    await page.goto(`${s.url}#/vast`);
    await page.getByRole('tab', { name: 'Templates on Vast' }).click();
    const panel = page.getByRole('tabpanel');
    await expect(panel).toContainText('No templates on this account');
    // The field starts with the bundled demo template.
    await expect(panel.getByLabel(/^Publish a local template/)).toHaveValue(/demo-template$/);
    await panel.getByRole('button', { name: 'Publish to Vast' }).click();
    await expect(panel.getByText(/^Published as template \d+/)).toBeVisible();
    const table = panel.getByRole('table', { name: 'Templates on Vast' });
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await expect(table).toContainText('from the app');
    await expect(table).toContainText('tstudio/demo');

    // Publishing again updates the same template (Vast hands out a new hash).
    await panel.getByRole('button', { name: 'Publish to Vast' }).click();
    await expect(panel.getByText(/^Updated template \d+/)).toBeVisible();
    await expect(table.locator('tbody tr')).toHaveCount(1);
    await page.screenshot({ path: `${SCREENS}/vast-templates.png` });

    await table.getByRole('button', { name: /^Delete template/ }).click();
    await table.getByRole('button', { name: 'Delete for good' }).click();
    await expect(panel).toContainText('No templates on this account');
  });

  test('a wrong API key is refused with a clear error and the sandbox stays in use', async ({
    page,
    serve,
  }) => {
    // A key the vast CLI would use, offered for import; console.vast.ai is unreachable here, so no key passes.
    const s = await serve({ TSTUDIO_DATA_DIR: dataDir, VAST_API_KEY: 'cli-key-for-import-test-wxyz' });
    await page.goto(`${s.url}#/vast`);
    await expect(page.getByText('Sandbox — no money is spent')).toBeVisible();
    await page.getByRole('button', { name: 'Use my Vast API key' }).click();
    await page.getByLabel(/^Vast API key/).fill('0123456789abcdef-not-a-real-key');
    const started = Date.now();
    await page.getByRole('button', { name: 'Check and save key' }).click();
    const error = page.getByRole('alert').filter({ hasText: 'The key was not saved.' });
    await expect(error).toBeVisible({ timeout: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    test.info().annotations.push({ type: 'key check', description: `refused after ${seconds.toFixed(1)} s` });
    // The message says more than the headline: what went wrong with the check.
    expect(((await error.textContent()) ?? '').length).toBeGreaterThan('The key was not saved.'.length + 10);
    await page.screenshot({ path: `${SCREENS}/vast-wrong-key.png` });
    await expect(page.getByText('Sandbox — no money is spent')).toBeVisible();

    // Importing asks first, says where the key is and how it ends, and fails as clearly.
    await page.getByRole('button', { name: 'Import from the vast CLI' }).click();
    const consent = page.getByRole('group', { name: "Import the vast CLI's key" });
    await expect(consent).toContainText('VAST_API_KEY');
    await expect(consent).toContainText('…wxyz');
    await page.screenshot({ path: `${SCREENS}/vast-import-consent.png` });
    await consent.getByRole('button', { name: 'Yes, import this key' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'The key was not imported.' })).toBeVisible({
      timeout: 60_000,
    });
    await expect(page.getByText('Sandbox — no money is spent')).toBeVisible();
  });
});
