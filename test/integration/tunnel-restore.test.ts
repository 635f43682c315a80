// Tunnel definitions survive the app: a disposed app and a killed `tstudio serve` both get their
// tunnels back on start, on the same local port, against a real sshd in a container.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { App } from '../../src/main/app';
import { SshService } from '../../src/main/services/ssh';
import { TUNNELS_FILE_NAME } from '../../src/main/services/tunnels';
import type { CallName, CallOutput } from '../../src/shared/contract';
import { call, testApp, waitFor } from '../security/helpers/test-app';
import { startServe, type ServeHandle } from './helpers/cli';
import { startSshdContainer, type SshdContainer } from './helpers/sshd-container';

let tmp: string;
let sshd: SshdContainer;
/** Data dirs whose app keys the sshd trusts: one for in-process apps, one for `tstudio serve`. */
let appDir: string;
let serveDir: string;
let address: string;
const apps: App[] = [];
const serves: ServeHandle[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tstudio-tunnel-restore-'));
  appDir = join(tmp, 'app');
  serveDir = join(tmp, 'serve');
  const keys = await Promise.all(
    [join(appDir, 'data'), serveDir].map(async (dataDir) => {
      const ssh = new SshService({ dataDir, env: {} });
      const key = await ssh.keys.get();
      await ssh.dispose();
      return key;
    }),
  );
  sshd = await startSshdContainer({
    authorizedKeys: keys.map((k) => k.publicKey),
    readinessKey: keys[0]!.privateKey,
  });
  address = `root@127.0.0.1:${sshd.port}`;
  await sshd.serveHello(8000, 'restored tunnel');
});

afterAll(async () => {
  for (const app of apps) await app.dispose().catch(() => undefined);
  for (const serve of serves) if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
  await sshd?.remove();
  await rm(tmp, { recursive: true, force: true });
});

function startApp(): App {
  const app = testApp(appDir, '/var/run/docker.sock');
  apps.push(app);
  return app;
}

async function fetchHello(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/hello.txt`)).text();
}

async function savedDefinitions(
  dataDir: string,
): Promise<{ id: string; localPort: number; targetRef: string }[]> {
  return JSON.parse(await readFile(join(dataDir, TUNNELS_FILE_NAME), 'utf8')).tunnels;
}

describe('tunnel definitions across app restarts', () => {
  it('an app started again on the same data dir lists the tunnel and brings it up on the same port', async () => {
    const first = startApp();
    const opened = await call(first, 'tunnels:open', { target: address, remotePort: 8000 });
    expect(opened.state).toBe('up');
    const port = opened.localPort ?? 0;
    expect(await fetchHello(port)).toBe('restored tunnel\n');
    await first.dispose();

    const second = startApp();
    const listed = await waitFor('the restored tunnel to be up', async () => {
      const t = (await call(second, 'tunnels:list', {})).find((x) => x.id === opened.id);
      return t?.state === 'up' ? t : null;
    });
    expect(listed).toMatchObject({ targetRef: address, remotePort: 8000, localPort: port });
    expect(await fetchHello(port)).toBe('restored tunnel\n');

    // Closing forgets it: a third start has nothing to restore.
    await call(second, 'tunnels:close', { id: opened.id });
    expect(await savedDefinitions(join(appDir, 'data'))).toEqual([]);
    await second.dispose();
    const third = startApp();
    await new Promise((r) => setImmediate(r));
    expect(await call(third, 'tunnels:list', {})).toEqual([]);
    await third.dispose();
  });

  it('shows a tunnel whose run is gone, or whose port is taken, as failed with the reason; Retry reopens it', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as { port: number }).port;
    const dataDir = join(appDir, 'data');
    const base = { remoteHost: '127.0.0.1', remotePort: 8000, app: null, createdAt: Date.now() };
    await writeFile(
      join(dataDir, TUNNELS_FILE_NAME),
      JSON.stringify({
        version: 1,
        tunnels: [
          {
            ...base,
            id: 'gone-run',
            targetRef: 'deadbeef0042',
            resolved: { host: '127.0.0.1', port: 1, user: 'root' },
            localPort: 0,
          },
          {
            ...base,
            id: 'port-taken',
            targetRef: address,
            resolved: { host: '127.0.0.1', port: sshd.port, user: 'root' },
            localPort: taken,
          },
          { id: 'garbage' },
        ],
      }),
    );
    try {
      const app = startApp();
      const failed = await waitFor('both restored tunnels to fail', async () => {
        const list = await call(app, 'tunnels:list', {});
        return list.length === 2 && list.every((t) => t.state === 'failed') ? list : null;
      });
      const gone = failed.find((t) => t.id === 'gone-run');
      expect(gone?.error?.message).toMatch(/deadbeef0042.*no run/i);
      const busy = failed.find((t) => t.id === 'port-taken');
      expect(busy?.error).toMatchObject({ code: 'CONFLICT' });
      expect(busy?.error?.message).toContain(String(taken));
      // A failed restore is still the user's tunnel: it stays saved until closed.
      expect((await savedDefinitions(dataDir)).map((d) => d.id).sort()).toEqual(['gone-run', 'port-taken']);
      // Once the port is free, Retry brings it up where it was.
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
      await call(app, 'tunnels:reopen', { id: 'port-taken' });
      await waitFor('the retried tunnel to be up on its old port', async () => {
        const t = (await call(app, 'tunnels:list', {})).find((x) => x.id === 'port-taken');
        return t?.state === 'up' && t.localPort === taken;
      });
      expect(await fetchHello(taken)).toBe('restored tunnel\n');
      await call(app, 'tunnels:close', { id: 'gone-run' });
      await call(app, 'tunnels:close', { id: 'port-taken' });
      expect(await savedDefinitions(dataDir)).toEqual([]);
      await app.dispose();
    } finally {
      if (blocker.listening) blocker.close();
    }
  });

  it('keeps the definitions of a tstudio serve that is killed (no clean exit) and reopens them', async () => {
    const env = { TSTUDIO_DATA_DIR: serveDir, TSTUDIO_MONITOR_INTERVAL_MS: '60000' };
    const first = await startServe(env);
    serves.push(first);
    const opened = await wsCall(first, 'tunnels:open', { target: address, remotePort: 8000 });
    const port = opened.localPort ?? 0;
    expect(await fetchHello(port)).toBe('restored tunnel\n');
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(await savedDefinitions(serveDir)).toMatchObject([
      { id: opened.id, localPort: port, targetRef: address },
    ]);

    const second = await startServe(env);
    serves.push(second);
    await waitFor('the tunnel to come back in the new serve', async () => {
      const list = await wsCall(second, 'tunnels:list', {});
      return list.find((t) => t.id === opened.id && t.state === 'up' && t.localPort === port);
    });
    expect(await fetchHello(port)).toBe('restored tunnel\n');
    await wsCall(second, 'tunnels:close', { id: opened.id });
    await second.stop();
  });
});

/** One contract call over the browser shell's WebSocket, unwrapped. */
function wsCall<K extends CallName>(serve: ServeHandle, name: K, input: unknown): Promise<CallOutput<K>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/ws`, {
      headers: { Origin: serve.origin, cookie: `tstudio_token=${serve.token}` },
    });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ t: 'call', id: 1, name, input })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.t !== 'result') return;
      ws.close();
      if (msg.result.ok) resolve(msg.result.value);
      else reject(new Error(`${name}: ${msg.result.error.code} ${msg.result.error.message}`));
    });
  });
}
