#!/usr/bin/env node
// @entries log-view-ingest
// A build that prints a million lines, through the whole app: engine -> build service -> operation
// events -> WebSocket -> renderer -> the virtualised log view in Chromium. The value is the line
// rate the view sustains until its line counter reads 1,000,000; the baseline is the rate of
// `docker build` (classic builder, the same Dockerfile) printing the same lines to a pipe.
// The classic builder is used on both sides because BuildKit clips a step's log at 2 MiB.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../test/chromium.mjs';

const LINES = 1_000_000;
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'tstudio-bench-log-'));
const nonce = Date.now();
writeFileSync(
  join(dir, 'Dockerfile'),
  `FROM tstudio/base:bookworm\nRUN echo ${nonce} >/dev/null && seq 1 ${LINES}\n`,
);

function dockerBaseline() {
  // A different nonce so the first run does not warm the cache for the second.
  const d = mkdtempSync(join(tmpdir(), 'tstudio-bench-log-docker-'));
  writeFileSync(
    join(d, 'Dockerfile'),
    `FROM tstudio/base:bookworm\nRUN echo ${nonce}-docker >/dev/null && seq 1 ${LINES}\n`,
  );
  const started = performance.now();
  execFileSync('docker', ['build', '-q=false', '--no-cache', d], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const seconds = (performance.now() - started) / 1000;
  rmSync(d, { recursive: true, force: true });
  return LINES / seconds;
}

async function appRate() {
  const serve = spawn(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve'], {
    env: { ...process.env, TSTUDIO_DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise((resolve) => createInterface({ input: serve.stdout }).once('line', resolve));
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(url);
    await page.getByRole('button', { name: /^Builds/ }).click();
    await page.getByLabel('Build context (the image folder)').fill(dir);
    await page.getByLabel('Builder').selectOption('classic');
    const started = performance.now();
    await page.getByRole('button', { name: 'Build', exact: true }).click();
    // The counter is the view's own line count; it reads the buffer the rows are drawn from.
    await page.waitForFunction(
      (n) => {
        const t = globalThis.document.querySelector('.log-count')?.textContent ?? '';
        return Number(t.replace(/[^0-9]/g, '')) >= n;
      },
      LINES,
      { timeout: 600_000, polling: 100 },
    );
    const seconds = (performance.now() - started) / 1000;
    // The view must still respond: scrolling to the top shows line 1 within a frame or two.
    const scrollStart = performance.now();
    await page.getByRole('log', { name: 'Build log' }).evaluate((el) => (el.scrollTop = 0));
    await page
      .getByRole('log', { name: 'Build log' })
      .getByText(/^Step 1\/2 : FROM/)
      .waitFor({ timeout: 10_000 });
    const scrollMs = performance.now() - scrollStart;
    return { rate: LINES / seconds, seconds, scrollMs };
  } finally {
    await browser.close();
    serve.kill('SIGTERM');
  }
}

try {
  const baseline = dockerBaseline();
  const app = await appRate();
  console.error(
    `app: ${app.rate.toFixed(0)} lines/s (${app.seconds.toFixed(1)} s), docker build: ${baseline.toFixed(0)} lines/s, scroll to top ${app.scrollMs.toFixed(0)} ms`,
  );
  console.log(
    JSON.stringify({
      name: 'log-view-ingest',
      value: Math.round(app.rate),
      baseline: Math.round(baseline),
      unit: 'lines/s',
      goal: 50_000,
      better: 'higher',
      detail: {
        seconds: app.seconds,
        ratioToDocker: app.rate / baseline,
        scrollToTopMs: Math.round(app.scrollMs),
      },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
