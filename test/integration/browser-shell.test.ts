import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type ServeHandle } from './helpers/cli';

let serve: ServeHandle;
beforeAll(async () => {
  serve = await startServe();
});
afterAll(() => serve?.stop());

function wsCall(headers: Record<string, string>, name: string, input: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serve.origin.replace('http', 'ws')}/ws`, { headers });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ t: 'call', id: 1, name, input })));
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if (msg.t === 'result') {
        ws.close();
        resolve(msg.result);
      }
    });
  });
}

describe('tstudio serve', () => {
  it('prints http://127.0.0.1:PORT/?token=… as its first line, with a token of at least 128 bits', () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{22,}$/);
  });

  it('answers 401 to a request without the token, and to a wrong one', async () => {
    expect((await fetch(`${serve.origin}/`)).status).toBe(401);
    expect((await fetch(`${serve.origin}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${serve.origin}/assets/whatever.js`)).status).toBe(401);
  });

  it('refuses a DNS-rebinding Host header even with the right token', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(serve.origin);
      http
        .get(
          {
            host: '127.0.0.1',
            port: u.port,
            path: `/?token=${serve.token}`,
            headers: { Host: `attacker.example:${u.port}` },
          },
          (res) => resolve(res.statusCode ?? 0),
        )
        .on('error', reject);
    });
    expect(status).toBe(403);
  });

  it('trades the token for an HttpOnly cookie and serves the app with a CSP', async () => {
    const first = await fetch(serve.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${serve.origin}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<div id="root">');
  });

  it('serves contract calls over the WebSocket to its own origin only', async () => {
    const cookie = `tstudio_token=${serve.token}`;
    await expect(wsCall({ Origin: serve.origin }, 'app:info', {})).rejects.toThrow(/401/);
    await expect(wsCall({ Origin: 'http://evil.example', cookie }, 'app:info', {})).rejects.toThrow(/403/);
    const ok = (await wsCall({ Origin: serve.origin, cookie }, 'app:info', {})) as {
      ok: boolean;
      value: { shell: string };
    };
    expect(ok).toMatchObject({ ok: true, value: { shell: 'browser' } });
    const bad = await wsCall({ Origin: serve.origin, cookie }, 'operations:cancel', { id: 7 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const unknown = await wsCall({ Origin: serve.origin, cookie }, 'fs:readFile', { path: '/etc/passwd' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
  });

  it('never writes the token to its logs', () => {
    expect(serve.stderr()).not.toContain(serve.token);
  });
});
