import { execFileSync } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

test('the Engine view shows the same engine version that `docker version` prints', async ({
  page,
  serve,
}) => {
  const expected = execFileSync('docker', ['version', '--format', '{{.Server.Version}}']).toString().trim();
  const s = await serve();
  await page.goto(s.url);
  await page.getByRole('button', { name: /^Engine/ }).click();
  await expect(page.getByTestId('engine-version')).toHaveText(expected);
  await expect(page.getByTestId('engine-endpoint')).toContainText('unix:///var/run/docker.sock');
  // The token left the address bar for an HttpOnly cookie.
  expect(page.url()).not.toContain('token=');
  await page.screenshot({ path: 'test-results/screens/engine.png' });
});

test('a request without the token gets 401', async ({ request, serve }) => {
  const s = await serve();
  const response = await request.get(`${s.origin}/`);
  expect(response.status()).toBe(401);
});

test('an unreachable engine is named with how to fix it, and the view recovers by itself when it answers', async ({
  page,
  serve,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'tstudio-sock-'));
  const socketPath = join(dir, 'docker.sock');
  let proxy: Server | null = null;
  try {
    const s = await serve({ DOCKER_HOST: `unix://${socketPath}` });
    await page.goto(`${s.url}`);
    await page.getByRole('button', { name: /^Engine/ }).click();
    const error = page.getByTestId('engine-error');
    await expect(error).toContainText(`unix://${socketPath}`);
    await expect(error).toContainText('DOCKER_HOST');
    await page.screenshot({ path: 'test-results/screens/engine-unreachable.png' });

    // Now the socket starts answering: a small proxy to the real engine's socket.
    proxy = createServer((client) => {
      const upstream = createConnection('/var/run/docker.sock');
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy!.listen(socketPath, resolve));

    // No reload: the pushed status event brings the facts in.
    await expect(page.getByTestId('engine-version')).toHaveText(/\d+\.\d+/);
    await expect(page.getByTestId('engine-error')).toHaveCount(0);
  } finally {
    await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every view has a place in the sidebar and tells a new user what to do', async ({ page, serve }) => {
  const s = await serve();
  await page.goto(s.url);
  for (const name of [
    'Templates',
    'Builds',
    'Local runs',
    'Vast',
    'Terminals',
    'Tunnels',
    'Monitor',
    'Engine',
  ]) {
    await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }
  // Keyboard: Alt+8 goes to Engine.
  await page.getByRole('button', { name: /^Templates/ }).click();
  await page.keyboard.press('Alt+8');
  await expect(page.getByRole('heading', { level: 1, name: 'Docker engine' })).toBeVisible();
});
