import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/chromium.mjs';

/**
 * End-to-end tests drive Debian's Chromium through the browser shell (`tstudio serve`). Playwright's
 * own browser downloads cannot reach their hosts here, so the system Chromium is used everywhere.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: chromiumLaunchOptions(),
  },
});
