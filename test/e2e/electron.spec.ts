import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect, _electron as electron } from '@playwright/test';

const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * Where Electron's binary is, if it was ever downloaded. Not `require('electron')`: since Electron 45
 * that starts a download from GitHub when the binary is missing.
 */
function electronBinary(): string | null {
  const pkg = join(repoRoot, 'node_modules', 'electron');
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const full = override ? join(override, relative) : join(pkg, 'dist', relative);
  return existsSync(full) ? full : null;
}
const binary = electronBinary();

test.describe('desktop shell (Electron)', () => {
  test.skip(!binary, 'No Electron binary on this machine: its only download source, GitHub, is unreachable');

  test('opens a hardened window whose Engine view shows the engine', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(repoRoot, 'out', 'main', 'index.js')],
    });
    const window = await app.firstWindow();
    // Isolation, sandbox and no Node are observable from the page: no require, no process, only window.api.
    const seen = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as unknown as { api: object }).api).length,
    }));
    expect(seen.require).toBe('undefined');
    expect(seen.process).toBe('undefined');
    expect(seen.api).toBeGreaterThan(0);
    await window.getByRole('button', { name: /^Engine/ }).click();
    await expect(window.getByTestId('engine-version')).toHaveText(/\d+\.\d+/);
    await app.close();
  });
});
