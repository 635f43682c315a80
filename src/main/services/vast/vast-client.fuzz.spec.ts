import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { VastClient } from './vast-client';
import { VastSandbox } from './sandbox/sandbox-server';

// Vast's answers cross the network: truncated by a dropped connection, reshaped by an API change, or
// replaced by a proxy's HTML page. A proxy between the client and the sandbox rewrites each real
// answer as the property says; the client must give back data that passed its schema or an AppError
// with a Vast code, never a TypeError, and never echo the API key.

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'retype'; at: number; value: unknown }
  | { kind: 'replace'; body: string }
  | { kind: 'status'; status: number };

let sandbox: VastSandbox;
let proxy: Server;
let proxyUrl: string;
let mutation: Mutation = { kind: 'truncate', at: 1 };
let tried = 0;

/** Replaces the n-th node of a JSON value (depth-first) with another value. */
function retype(value: unknown, at: number, replacement: unknown): unknown {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (n++ === at) return replacement;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 20, transitionMs: 10 } });
  const upstream = await sandbox.start();
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await fetch(new URL(req.url ?? '/', upstream), {
      method: req.method,
      headers: { authorization: String(req.headers.authorization ?? ''), 'content-type': 'application/json' },
      body: chunks.length && req.method !== 'GET' ? Buffer.concat(chunks) : undefined,
    });
    let text = await answer.text();
    let status = answer.status;
    const m = mutation;
    if (m.kind === 'truncate') text = text.slice(0, m.at % (text.length + 1));
    if (m.kind === 'retype') {
      try {
        text = JSON.stringify(retype(JSON.parse(text), m.at, m.value)) ?? '';
      } catch {
        // Not JSON to begin with: leave it.
      }
    }
    if (m.kind === 'replace') text = m.body;
    if (m.kind === 'status') status = m.status;
    res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await sandbox.close();
  console.log(`vast responses: ${tried} mutated answers tried`);
});

const wrongValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constant(1e308),
  fc.constant(-1),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.nat(5000).map((at) => ({ kind: 'truncate' as const, at })) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('retype' as const), at: fc.nat(400), value: wrongValue }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.json(),
        fc.string(),
        fc.constantFrom(
          '<html><body>502 Bad Gateway</body></html>',
          '',
          'null',
          '[]',
          '{"success":false}',
          '{"error":"x"}',
          '\u0000',
        ),
      )
      .map((body) => ({ kind: 'replace' as const, body })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(200, 201, 204, 301, 400, 404, 418, 500, 503)
      .map((status) => ({ kind: 'status' as const, status })),
  },
);

const calls: Array<[string, (c: VastClient) => Promise<unknown>]> = [
  ['currentUser', (c) => c.currentUser()],
  ['searchOffers', (c) => c.searchOffers({})],
  ['listInstances', (c) => c.listInstances()],
  ['searchTemplates', (c) => c.searchTemplates()],
  ['getInstance', (c) => c.getInstance(1)],
];

describe('Vast responses through the client schemas', () => {
  it.each(calls)('%s: schema-checked data or an AppError, never a TypeError', async (_name, run) => {
    const client = new VastClient({
      apiKey: sandbox.apiKey,
      baseUrl: proxyUrl,
      attempts: 2,
      backoffMs: 1,
      timeoutMs: 5000,
    });
    await fc.assert(
      fc.asyncProperty(mutationArb, async (m) => {
        mutation = m;
        tried++;
        try {
          await run(client);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(AppError);
          expect((err as AppError).code).toMatch(/^(VAST_|NOT_FOUND$)/);
          expect((err as AppError).message).not.toContain(sandbox.apiKey);
        }
      }),
      { numRuns: 150 },
    );
  });
});
