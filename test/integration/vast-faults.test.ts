import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/shared/errors';
import { NO_FAULTS, VastClient, VastSandbox } from '../../src/main/services/vast/index';

// How the client copes with each fault the sandbox injects (reference/vast-api.md §9).

let sandbox: VastSandbox;
let url: string;

function client(extra: Partial<ConstructorParameters<typeof VastClient>[0]> = {}): VastClient {
  return new VastClient({ apiKey: sandbox.apiKey, baseUrl: url, backoffMs: 5, pollIntervalMs: 20, ...extra });
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 40, transitionMs: 10 } });
  url = await sandbox.start();
});

afterEach(() => {
  sandbox.setFaults(NO_FAULTS);
});

afterAll(async () => {
  await sandbox.close();
});

describe('retries', () => {
  it.each([429, 502, 503, 504])('retries a %i and then succeeds', async (status) => {
    sandbox.setFaults({ failNextCalls: 2, failNextStatus: status });
    const before = sandbox.calls;
    const user = await client().currentUser();
    expect(user.email).toBe('sandbox@localhost');
    expect(sandbox.calls - before).toBe(3);
  });

  it('sleeps with the CLI backoff (0.15 s, then ×1.5) by default', async () => {
    sandbox.setFaults({ failNextCalls: 2, failNextStatus: 429 });
    const t0 = Date.now();
    await new VastClient({ apiKey: sandbox.apiKey, baseUrl: url }).currentUser();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150 + 225 - 10);
  });

  it('gives VAST_RATE_LIMIT when every attempt is rate limited', async () => {
    sandbox.setFaults({ rateLimitEvery: 1 });
    const before = sandbox.calls;
    const err = await rejection(client({ attempts: 4 }).currentUser());
    expect(err.code).toBe('VAST_RATE_LIMIT');
    expect(err.message).toMatch(/rate limiting/);
    expect(sandbox.calls - before).toBe(4);
  });

  it('gives VAST_UNAVAILABLE when the gateway keeps failing', async () => {
    sandbox.setFaults({ serverErrorEvery: 1, serverErrorStatus: 502 });
    const err = await rejection(client().searchOffers({}));
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(err.message).toContain('502');
  });

  it('does not retry a 500 (only 429/502/503/504 are retried)', async () => {
    sandbox.setFaults({ failNextCalls: 1, failNextStatus: 500 });
    const before = sandbox.calls;
    const err = await rejection(client().currentUser());
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(sandbox.calls - before).toBe(1);
  });

  it('survives a 429 every other call across a whole flow', async () => {
    sandbox.setFaults({ rateLimitEvery: 2 });
    const c = client();
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' });
    const inst = await c.waitUntilRunning(instanceId);
    expect(inst.actual_status).toBe('running');
    await c.destroyInstance(instanceId);
  });

  it('never retries a create after a 502 (the instance may exist), but does after a 429 or 503', async () => {
    const c = client();
    const { offers } = await c.searchOffers({});
    sandbox.setFaults({ failNextCalls: 1, failNextStatus: 502 });
    let before = sandbox.calls;
    const err = await rejection(c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' }));
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(sandbox.calls - before).toBe(1);

    sandbox.setFaults({ failNextCalls: 2, failNextStatus: 503 });
    before = sandbox.calls;
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' });
    expect(sandbox.calls - before).toBe(3);
    await c.destroyInstance(instanceId);
    expect((await rejection(c.rebootInstance(instanceId))).code).toBe('NOT_FOUND');
  });

  it('times out a slow answer per attempt and says so', async () => {
    sandbox.setFaults({ latencyMs: 400 });
    const err = await rejection(client({ timeoutMs: 100, attempts: 2 }).currentUser());
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(err.message).toMatch(/did not answer .* within/);
  });

  it('reports an unreachable server as VAST_UNAVAILABLE after retrying', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const t0 = Date.now();
    const err = await rejection(
      new VastClient({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}`, backoffMs: 30 }).currentUser(),
    );
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(err.message).toMatch(/Could not reach Vast/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(30 + 45 - 5);
  });

  it('lets a caller cancel during the backoff', async () => {
    sandbox.setFaults({ rateLimitEvery: 1 });
    const ac = new AbortController();
    const p = client({ backoffMs: 10_000 }).currentUser(ac.signal);
    setTimeout(() => ac.abort(), 50);
    const err = await rejection(p);
    expect(err.code).toBe('CANCELLED');
  });
});

describe('answers that are not what they should be', () => {
  let odd: Server;
  let oddUrl: string;
  beforeAll(async () => {
    odd = createServer((req, res) => {
      if (req.url?.startsWith('/api/v0/users/current')) {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>maintenance</html>');
      } else if (req.url?.startsWith('/api/v0/bundles')) {
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end('{"offers": [{"id": "not a number"}]}');
      } else {
        res.writeHead(401, { 'Content-Type': 'text/html' }).end('<html>login</html>');
      }
    });
    await new Promise<void>((r) => odd.listen(0, '127.0.0.1', () => r()));
    oddUrl = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => odd.close(() => r())));

  it('maps a non-JSON 200 to VAST_UNAVAILABLE', async () => {
    const err = await rejection(new VastClient({ apiKey: 'k', baseUrl: oddUrl }).currentUser());
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(err.message).toMatch(/not JSON/);
  });

  it('maps a reply of the wrong shape to VAST_UNAVAILABLE naming the field', async () => {
    const err = await rejection(new VastClient({ apiKey: 'k', baseUrl: oddUrl }).searchOffers({}));
    expect(err.code).toBe('VAST_UNAVAILABLE');
    expect(err.message).toContain('offers.0');
  });

  it('reads a non-JSON 401 as "log in" (VAST_AUTH)', async () => {
    const err = await rejection(new VastClient({ apiKey: 'k', baseUrl: oddUrl }).listSshKeys());
    expect(err.code).toBe('VAST_AUTH');
    expect(err.message).toMatch(/log in/);
  });

  it('treats 200 with success:false as a refusal', async () => {
    const c = client();
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' });
    const err = await rejection(
      c.http.request('PUT', `/instances/${instanceId}/`, { body: {}, schema: z.unknown() }),
    );
    expect(err.code).toBe('VAST_REQUEST');
    expect(err.message).toMatch(/Nothing to change/);
    await c.destroyInstance(instanceId);
  });
});

describe('waiting for an instance', () => {
  it('fails fast on a failed image pull with the daemon message', async () => {
    sandbox.setFaults({ failImagePull: true });
    const c = client();
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'nosuch/image:tag', mode: 'ssh' });
    const t0 = Date.now();
    const err = await rejection(c.waitUntilRunning(instanceId, { timeoutMs: 60_000 }));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.code).toBe('VAST_REQUEST');
    expect(err.message).toContain('failed to pull image nosuch/image:tag');
    expect(err.details).toMatchObject({ instanceId, actualStatus: 'exited' });
    await c.destroyInstance(instanceId);
  });

  it('times out an instance stuck loading, with progress reported', async () => {
    sandbox.setFaults({ stuckLoading: true });
    const c = client();
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' });
    const statuses: (string | null | undefined)[] = [];
    const err = await rejection(
      c.waitUntilRunning(instanceId, { timeoutMs: 400, onProgress: (i) => statuses.push(i.actual_status) }),
    );
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/destroy it/);
    expect(statuses).toContain('loading');
    expect(statuses).not.toContain('running');
    await c.destroyInstance(instanceId);
  });

  it('can be cancelled', async () => {
    sandbox.setFaults({ stuckLoading: true });
    const c = client();
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' });
    const ac = new AbortController();
    const p = c.waitUntilRunning(instanceId, { signal: ac.signal, intervalMs: 10_000 });
    setTimeout(() => ac.abort(), 100);
    expect((await rejection(p)).code).toBe('CANCELLED');
    await c.destroyInstance(instanceId);
  });
});

describe('the admin endpoint', () => {
  it('sets faults at run time and refuses unknown ones', async () => {
    const put = (body: unknown) =>
      fetch(`${url}/__sandbox/faults`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${sandbox.apiKey}` },
        body: JSON.stringify(body),
      });
    const res = await put({ rateLimitEvery: 1 });
    expect(res.status).toBe(200);
    expect(sandbox.getFaults().rateLimitEvery).toBe(1);
    const r429 = await fetch(`${url}/api/v0/users/current`, {
      headers: { Authorization: `Bearer ${sandbox.apiKey}` },
    });
    expect(r429.status).toBe(429);
    expect(r429.headers.get('retry-after')).toBeNull();
    expect(await r429.text()).toBe('API requests too frequent endpoint threshold=1.0');
    expect((await put({ nope: 1 })).status).toBe(400);
    const anon = await fetch(`${url}/__sandbox/faults`, { method: 'PUT', body: '{}' });
    expect(anon.status).toBe(401);
  });
});
