import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main/app';
import { call, testApp, waitFor } from './helpers/test-app';

// The Docker engine goes away in the middle of a build. The real dockerd is never stopped: the app
// talks to a proxy socket in front of it, and the proxy is cut (listener closed, every connection
// destroyed), then brought back on the same path.

const NONCE = `fault-${Date.now()}`;
let tmp: string;
let socketPath: string;
let proxy: Server | null = null;
const open = new Set<Socket>();
let app: App;

function startProxy(): Promise<void> {
  rmSync(socketPath, { force: true });
  proxy = createServer((client) => {
    const upstream = createConnection('/var/run/docker.sock');
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    upstream.on('error', drop).on('close', drop);
    client.on('error', drop).on('close', drop);
  });
  return new Promise((resolve) => proxy!.listen(socketPath, resolve));
}

function cutProxy(): Promise<void> {
  const p = proxy;
  proxy = null;
  for (const s of open) s.destroy();
  open.clear();
  return new Promise((resolve) => (p ? p.close(() => resolve()) : resolve()));
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-fault-engine-'));
  socketPath = join(tmp, 'docker.sock');
  await startProxy();
  app = testApp(tmp, socketPath);
});

afterAll(async () => {
  await app?.dispose();
  await cutProxy();
  // The daemon may finish the cut build on its own: remove whatever carries this run's label.
  const ids = execFileSync('docker', ['images', '-q', '--filter', `label=tstudio.fault=${NONCE}`])
    .toString()
    .trim();
  if (ids) execFileSync('docker', ['rmi', '-f', ...new Set(ids.split('\n'))], { stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
});

describe('the Docker engine stops during a build', () => {
  it('ends the build failed with a clear message, keeps its log, and the monitor reconnects', async () => {
    await waitFor(
      'the engine through the proxy',
      async () => (await call(app, 'engine:status', {})).reachable,
    );
    const ctx = join(tmp, 'ctx');
    mkdirSync(ctx);
    writeFileSync(
      join(ctx, 'Dockerfile'),
      `FROM tstudio/base:bookworm\nRUN echo ${NONCE} && for i in 1 2 3 4 5 6 7 8 9 10; do echo tick-$i; sleep 1; done\n`,
    );
    const logged: string[] = [];
    const unsubscribe = app.bus.subscribe((e) => {
      if (e.name === 'operation:updated') logged.push(JSON.stringify(e.payload));
    });
    const { operationId } = await call(app, 'builds:start', {
      contextDir: ctx,
      labels: { 'tstudio.test': '1', 'tstudio.fault': NONCE },
      noCache: true,
    });
    await waitFor('the build to print tick-1', () => logged.some((l) => l.includes('tick-1')));

    await cutProxy();

    const record = await waitFor('the build to end', async () => {
      const [r] = await call(app, 'builds:history', { limit: 200 });
      return r && r.id === operationId && r.outcome !== 'running' ? r : null;
    });
    unsubscribe();
    console.log(`engine cut mid-build: ${record.error?.code}: ${record.error?.message}`);
    expect(record.outcome).toBe('failed');
    expect(['DOCKER_UNAVAILABLE', 'DOCKER_ERROR', 'BUILD_FAILED']).toContain(record.error?.code);
    // Clear: it says the engine went away, not "undefined" or a stack.
    expect(record.error?.message).toMatch(/engine|docker|connection/i);
    expect(record.error?.message).not.toMatch(/undefined|at .*\.js:\d+/);

    const log = await call(app, 'builds:log', { id: operationId });
    expect(log.text).toContain('tick-1');
    expect(log.complete).toBe(true);
    const index = JSON.parse(readFileSync(join(tmp, 'data', 'builds', 'index.json'), 'utf8')) as unknown;
    expect(JSON.stringify(index)).toContain(operationId);

    await waitFor(
      'the monitor to see the engine gone',
      async () => !(await call(app, 'engine:status', {})).reachable,
    );
    await startProxy();
    const back = await waitFor('the monitor to reconnect', async () => {
      const s = await call(app, 'engine:status', {});
      return s.reachable ? s : null;
    });
    expect(back.reachable).toBe(true);
    // And the engine is usable again through the same app.
    expect((await call(app, 'builds:history', { limit: 1 }))[0]?.id).toBe(operationId);
  });
});
