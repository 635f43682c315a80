import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main/app';
import { dispatch } from '../../src/main/rpc';
import { NO_FAULTS, VastClient, VastSandbox } from '../../src/main/services/vast';
import { AppError } from '../../src/shared/errors';
import { call, testApp } from './helpers/test-app';

// Vast misbehaves the ways it really does; the app retries what is worth retrying, then says what
// happened, and keeps working once Vast is back. Faults come from the sandbox (product code) and, for
// what the sandbox cannot do (broken JSON, silence), from a tiny bad server.

let tmp: string;
let sandbox: VastSandbox;
let app: App;
let bad: Server;
let badUrl: string;
let badMode: 'truncated' | 'html' | 'silent' = 'truncated';
let badHits = 0;
let faultsSurvived = 0;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-fault-vast-'));
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 20, transitionMs: 10 } });
  const url = await sandbox.start();
  app = testApp(tmp, join(tmp, 'none.sock'), { env: { PATH: process.env.PATH, VAST_URL: url } });
  await call(app, 'vast:setKey', { apiKey: sandbox.apiKey });
  bad = createServer((req, res) => {
    badHits++;
    if (badMode === 'silent') return; // never answers
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(badMode === 'truncated' ? '{"instances": [{"id": 1, "actual_sta' : '<html>Bad gateway</html>');
  });
  await new Promise<void>((r) => bad.listen(0, '127.0.0.1', () => r()));
  badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.dispose();
  await sandbox?.close();
  bad.closeAllConnections();
  await new Promise((r) => bad.close(r));
  rmSync(tmp, { recursive: true, force: true });
  console.log(`vast faults injected and survived: ${faultsSurvived}`);
});

async function instancesResult() {
  return dispatch(app.handlers, 'vast:instances', {});
}

describe('Vast API faults through the app', () => {
  it('retries 429 and 5xx answers and then succeeds', async () => {
    for (const status of [429, 502, 503, 504]) {
      sandbox.setFaults({ ...NO_FAULTS, failNextCalls: 2, failNextStatus: status });
      const before = sandbox.calls;
      const result = await instancesResult();
      expect(result.ok, `${status}: ${JSON.stringify(result)}`).toBe(true);
      expect(sandbox.calls - before).toBeGreaterThanOrEqual(3);
      faultsSurvived++;
    }
  });

  it('gives VAST_RATE_LIMIT and VAST_UNAVAILABLE with a clear message when retries run out', async () => {
    sandbox.setFaults({ ...NO_FAULTS, rateLimitEvery: 1 });
    const limited = await instancesResult();
    expect(limited).toMatchObject({ ok: false, error: { code: 'VAST_RATE_LIMIT' } });
    expect(!limited.ok && limited.error.message).toMatch(/rate limit/i);
    sandbox.setFaults({ ...NO_FAULTS, serverErrorEvery: 1, serverErrorStatus: 502 });
    const down = await instancesResult();
    expect(down).toMatchObject({ ok: false, error: { code: 'VAST_UNAVAILABLE' } });
    expect(!down.ok && down.error.message).toMatch(/502/);
    faultsSurvived += 2;
    // Vast comes back: the same app answers at once.
    sandbox.setFaults(NO_FAULTS);
    expect((await instancesResult()).ok).toBe(true);
    const account = await call(app, 'vast:account', {});
    expect(account).toMatchObject({ hasKey: true, sandbox: false });
    expect(account.user?.email).toBeTruthy();
  });

  it('reads truncated JSON and an HTML page as VAST_UNAVAILABLE, never a TypeError', async () => {
    for (const mode of ['truncated', 'html'] as const) {
      badMode = mode;
      const client = new VastClient({ apiKey: 'FAKEKEY-fault', baseUrl: badUrl, backoffMs: 1 });
      const err = await client.listInstances().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('VAST_UNAVAILABLE');
      expect((err as AppError).message).not.toContain('FAKEKEY-fault');
      faultsSurvived++;
    }
  });

  it('gives up on a silent server after its timeout, retrying first', async () => {
    badMode = 'silent';
    badHits = 0;
    const client = new VastClient({
      apiKey: 'FAKEKEY-fault',
      baseUrl: badUrl,
      backoffMs: 1,
      timeoutMs: 300,
      attempts: 3,
    });
    const t0 = Date.now();
    const err = await client.currentUser().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect(['VAST_UNAVAILABLE', 'TIMEOUT']).toContain((err as AppError).code);
    expect((err as AppError).message).toMatch(/time|respond|answer/i);
    expect(badHits).toBe(3);
    expect(Date.now() - t0).toBeLessThan(10_000);
    faultsSurvived++;
  });
});
