import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type ServeHandle } from '../integration/helpers/cli';

// Each door of `tstudio serve` is knocked on the wrong way and must stay shut. The server is the
// built CLI in its own process, so what it prints is what a user's terminal (or a log collector) sees.

let serve: ServeHandle;
let dataDir: string;
let port: string;
let refusalsChecked = 0;

function env(): NodeJS.ProcessEnv {
  return { TSTUDIO_DATA_DIR: dataDir, DOCKER_HOST: `unix://${join(dataDir, 'no-docker.sock')}` };
}

/** A raw GET, so the Host header can be anything (fetch forbids setting it). */
function get(path: string, headers: Record<string, string> = {}, hostPort = port, address = '127.0.0.1') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: address, port: hostPort, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens /ws with the given headers: the HTTP status of a refusal, or 101 when it opened. */
function upgrade(headers: Record<string, string>, path = '/ws'): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', reject);
  });
}

async function refused(status: Promise<number>, expected: number): Promise<void> {
  expect(await status).toBe(expected);
  refusalsChecked++;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tstudio-sec-shell-'));
  serve = await startServe(env());
  port = new URL(serve.origin).port;
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(`browser shell: ${refusalsChecked} refusals checked`);
});

describe('HTTP refusals', () => {
  it('binds to 127.0.0.1 by default with a 256-bit token', () => {
    expect(new URL(serve.origin).hostname).toBe('127.0.0.1');
    expect(Buffer.from(serve.token, 'base64url').length * 8).toBe(256);
  });

  it('answers 401 without a token, and to a wrong one in the query, a cookie or a bearer header', async () => {
    const host = { Host: `127.0.0.1:${port}` };
    const wrong = serve.token.slice(0, -1) + (serve.token.endsWith('A') ? 'B' : 'A');
    for (const [path, headers] of [
      ['/', host],
      ['/index.html', host],
      [`/?token=${wrong}`, host],
      ['/?token=', host],
      [`/?token=${serve.token}x`, host],
      ['/', { ...host, cookie: `tstudio_token=${wrong}` }],
      ['/', { ...host, authorization: `Bearer ${wrong}` }],
      ['/', { ...host, cookie: `tstudio_token=${'A'.repeat(100_00)}` }],
    ] as const) {
      await refused(
        get(path, headers).then((r) => r.status),
        401,
      );
    }
  });

  it('answers 403 to a DNS-rebinding Host header even with the right token', async () => {
    for (const host of [
      `attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      'localhost',
    ]) {
      await refused(
        get(`/?token=${serve.token}`, { Host: host }).then((r) => r.status),
        403,
      );
    }
  });

  it('never serves a file outside the renderer folder', async () => {
    const cookie = `tstudio_token=${serve.token}`;
    for (const path of [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const res = await get(path, { Host: `127.0.0.1:${port}`, cookie });
      expect(res.body, path).not.toContain('root:');
      refusalsChecked++;
    }
  });

  it('answers a malformed percent-encoded path without falling over', async () => {
    const cookie = `tstudio_token=${serve.token}`;
    for (const path of ['/%', '/%E0%A4%A', '/assets/%ZZ.js']) {
      const res = await get(path, { Host: `127.0.0.1:${port}`, cookie });
      expect(res.status, path).toBeLessThan(500);
    }
    expect(serve.child.exitCode).toBeNull();
  });
});

describe('WebSocket refusals', () => {
  const cookie = () => `tstudio_token=${serve.token}`;
  const origin = () => `http://127.0.0.1:${port}`;

  it('opens for its own origin with the token (the control case)', async () => {
    expect(await upgrade({ Origin: origin(), cookie: cookie() })).toBe(101);
  });

  it('refuses a foreign, null or missing Origin even with the token cookie', async () => {
    await refused(upgrade({ Origin: 'http://evil.example', cookie: cookie() }), 403);
    await refused(upgrade({ Origin: `http://localhost.evil.example:${port}`, cookie: cookie() }), 403);
    await refused(upgrade({ Origin: `https://127.0.0.1:${port}`, cookie: cookie() }), 403);
    await refused(upgrade({ Origin: 'null', cookie: cookie() }), 403);
    await refused(upgrade({ cookie: cookie() }), 403);
    await refused(upgrade({ Origin: 'http://evil.example' }, `/ws?token=${serve.token}`), 403);
  });

  it('refuses no token or a wrong one, and a socket path other than /ws', async () => {
    await refused(upgrade({ Origin: origin() }), 401);
    await refused(upgrade({ Origin: origin(), cookie: 'tstudio_token=nope' }), 401);
    await refused(upgrade({ Origin: origin(), cookie: cookie() }, '/other'), 403);
  });

  it('refuses a rebinding Host on the upgrade', async () => {
    await refused(upgrade({ Origin: origin(), cookie: cookie(), Host: `evil.example:${port}` }), 403);
  });

  it('survives garbage and oversized frames, and still answers a good call afterwards', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { Origin: origin(), cookie: cookie() },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('not json');
    ws.send(JSON.stringify({ t: 'call', id: -1, name: 'app:info' }));
    ws.send(JSON.stringify({ t: 'call', id: 1, name: '__proto__', input: {} }));
    ws.send(Buffer.from([0, 1, 2]), { binary: true });
    const answers: unknown[] = [];
    ws.on('message', (raw) => answers.push(JSON.parse(raw.toString())));
    ws.send(JSON.stringify({ t: 'call', id: 2, name: 'app:info', input: {} }));
    const deadline = Date.now() + 10_000;
    while (!answers.some((a) => (a as { id?: number }).id === 2) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(answers).toContainEqual({ t: 'result', id: 1, result: expect.objectContaining({ ok: false }) });
    expect(answers).toContainEqual({ t: 'result', id: 2, result: expect.objectContaining({ ok: true }) });
    // Bigger than MAX_CLIENT_MESSAGE_BYTES: the socket is closed (1009), the server lives on.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(5 * 1024 * 1024));
    expect(await closed).toBe(1009);
    expect(await upgrade({ Origin: origin(), cookie: cookie() })).toBe(101);
    expect(serve.child.exitCode).toBeNull();
  });
});

describe('what the server prints', () => {
  it('never prints the token after the first URL line, however it is knocked on', async () => {
    await get(`/?token=${serve.token}`, { Host: `evil.example:${port}` });
    await get(`/x?token=${serve.token}zz`, { Host: `127.0.0.1:${port}` });
    await upgrade({ Origin: 'http://evil.example', cookie: `tstudio_token=${serve.token}` });
    await upgrade({ Origin: 'http://evil.example' }, `/ws?token=${serve.token}`);
    // The refusals are logged (proof the log is being written), just not with the token.
    expect(serve.stderr()).toMatch(/refused/);
    expect(serve.stderr()).not.toContain(serve.token);
    expect(serve.stderr()).not.toContain(serve.token.slice(0, 16));
  });
});

describe('--host', () => {
  it('warns when told to listen on another address, and still guards the door there', async () => {
    const other = await startServe(env(), ['--host', '127.0.0.2']);
    try {
      const u = new URL(other.url);
      expect(u.hostname).toBe('127.0.0.2');
      expect(await waitForStderr(other, /warning/)).toMatch(
        /warning: listening on 127\.0\.0\.2, not only this machine/,
      );
      const anon = await get('/', { Host: u.host }, u.port, '127.0.0.2');
      expect(anon.status).toBe(401);
      refusalsChecked++;
      const ok = await get(
        '/',
        { Host: u.host, cookie: `tstudio_token=${other.token}` },
        u.port,
        '127.0.0.2',
      );
      expect(ok.status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it('does not warn on the default address', () => {
    expect(serve.stderr()).not.toMatch(/warning: listening/);
  });
});

async function waitForStderr(handle: ServeHandle, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5000;
  while (!pattern.test(handle.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return handle.stderr();
}
