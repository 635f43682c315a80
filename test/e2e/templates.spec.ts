import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

const demo = join(import.meta.dirname, '..', '..', 'resources', 'demo-template');

test('open a template folder, edit a port, see the lint panel change, and save', async ({ page, serve }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-tpl-'));
  const folder = join(dir, 'demo');
  cpSync(demo, folder, { recursive: true });
  try {
    const s = await serve({ TSTUDIO_DATA_DIR: join(dir, 'data') });
    await page.goto(s.url);
    await page.getByLabel('Template folder').fill(folder);
    await page.getByRole('button', { name: 'Open', exact: true }).click();

    const summary = page.getByTestId('lint-summary');
    await expect(summary).toHaveText(/^0 errors, \d+ warnings?$/);
    await expect(page.getByRole('list', { name: 'Ports' })).toContainText('8000:8000');
    await page.screenshot({ path: 'test-results/screens/templates.png' });

    // PORTAL_CONFIG publishes the web app on 8000: removing that port is an error the lint must name.
    await page.getByRole('button', { name: 'Remove port 8000:8000' }).click();
    await page.getByRole('button', { name: /^Save 1 change$/ }).click();
    await expect(summary).toHaveText(/^[1-9]\d* errors?, /);
    const finding = page.locator('.finding-error').filter({ hasText: '8000' }).first();
    await expect(finding).toBeVisible();
    await page.screenshot({ path: 'test-results/screens/templates-lint.png' });

    const saved = readFileSync(join(folder, 'templates', 'default', 'template.yml'), 'utf8');
    expect(saved).not.toContain('"8000:8000"');
    expect(saved).toContain('"8080:8080"');
    // Comments and key order survive the edit.
    expect(saved.startsWith('# The Template Studio demo template')).toBe(true);
    expect(saved.indexOf('ports:')).toBeLessThan(saved.indexOf('env:'));

    // A finding jumps to its file and line.
    await finding.click();
    await expect(page.getByLabel(/^Contents of /)).toBeVisible();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the demo template opens in one click from the empty state', async ({ page, serve }) => {
  const dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-tpl-'));
  try {
    const s = await serve({ TSTUDIO_DATA_DIR: dir });
    await page.goto(s.url);
    await page.getByRole('button', { name: 'Open the demo template' }).click();
    await expect(page.getByRole('navigation', { name: 'Images' })).toContainText('demo-template');
    await expect(page.getByLabel('Image', { exact: true })).toHaveValue('tstudio/demo');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
