import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createApp, type App } from '../../src/main/app';
import { dispatch, type Handlers } from '../../src/main/rpc';
import { GuardedSecretStore, MemorySecretStore } from '../../src/main/services/secrets';
import { VastSandbox } from '../../src/main/services/vast';
import { callNames, calls, type CallName } from '../../src/shared/contract';
import { ERROR_CODES } from '../../src/shared/errors';
import {
  invalidArbitrary,
  pollutingArbitrary,
  validArbitrary,
  type ArbitraryOptions,
} from './helpers/zod-arbitrary';

// Every contract call, fuzzed from its own schema at the boundary every shell uses (rpc dispatch):
// invalid inputs must come back as VALIDATION without any handler running; valid inputs run against a
// real composition root (dead Docker endpoint, temp data dir, the Vast sandbox) and must come back as
// a Result with a stable code, never a throw, never a hang, never an INTERNAL error.

const INVALID_RUNS = 100;
const POLLUTING_RUNS = 15;
const VALID_RUNS = 12;
/** Calls that wait on a network peer by design (SSH to a closed port, an instance that never runs). */
const PATIENT_CALLS = new Set<string>(['vast:waitRunning']);
/** Inputs a random run once found answered with INTERNAL: tried first on every run, with the seed's. */
const FOUND_BEFORE: Record<string, unknown[]> = {
  // "1." passed Number() as instance 1, and the engine being away escaped as a raw ENOENT.
  'monitor:bootProgress': [{ target: 'instance:1.' }, { target: 'instance:7' }],
};
const CALL_DEADLINE_MS = 10_000;

let tmp: string;
let app: App;
let sandbox: VastSandbox;
let options: ArbitraryOptions;
const figures = new Map<
  string,
  { invalid: number; polluting: number; valid: number; ok: number; codes: Set<string> }
>();

function figure(name: string) {
  let f = figures.get(name);
  if (!f) figures.set(name, (f = { invalid: 0, polluting: 0, valid: 0, ok: 0, codes: new Set() }));
  return f;
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Handlers that record what reached them; the invalid side asserts none ever does. */
function recordingHandlers(reached: Array<{ name: string; args: unknown }>): Handlers {
  return Object.fromEntries(
    callNames.map((name) => [
      name,
      (args: unknown) => {
        reached.push({ name, args });
        throw new Error('recorded');
      },
    ]),
  ) as unknown as Handlers;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-contract-fuzz-'));
  const dataDir = join(tmp, 'data');
  const home = join(tmp, 'home');
  const templates = join(tmp, 'templates');
  for (const d of [home, templates, join(tmp, 'scaffolds')]) mkdirSync(d, { recursive: true });
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 20, transitionMs: 10 } });
  const vastUrl = await sandbox.start();
  const port = await closedPort();
  app = createApp({
    shell: 'browser',
    dataDir,
    home,
    env: { VAST_URL: vastUrl, PATH: process.env.PATH, HOME: home },
    dockerEndpoint: {
      url: `unix://${join(tmp, 'no-docker.sock')}`,
      source: 'DOCKER_HOST',
      context: null,
      reason: 'a dead socket (fuzz test)',
    },
    secrets: new GuardedSecretStore(new MemorySecretStore(), dataDir),
    engineRetryMs: 60_000,
  });
  const scaffolded = await dispatch(app.handlers, 'templates:scaffold', {
    class: 'derivative',
    name: 'fuzz',
    dir: templates,
  });
  expect(scaffolded.ok, JSON.stringify(scaffolded)).toBe(true);
  const opened = await dispatch(app.handlers, 'templates:open', { path: join(templates, 'fuzz') });
  expect(opened.ok, JSON.stringify(opened)).toBe(true);
  const paths = fc.constantFrom(templates, join(templates, 'fuzz'), join(tmp, 'missing'));
  options = {
    overrides: {
      // Keep every side effect on loopback and inside the temp folder.
      host: fc.constant('127.0.0.1'),
      remoteHost: fc.constant('127.0.0.1'),
      port: fc.constant(port),
      localPort: fc.constant(0),
      path: paths,
      root: paths,
      contextDir: paths,
      templatePath: paths,
      dir: fc.constant(join(tmp, 'scaffolds')),
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
      template: fc.constantFrom('templates/default', '.', 'absent'),
      dockerfile: fc.constantFrom('Dockerfile', 'absent/Dockerfile'),
      file: fc.oneof(
        fc.constantFrom('Dockerfile', 'templates/default/template.yml', 'README.md'),
        fc.stringMatching(/^[a-z0-9_-]{1,12}(\.[a-z]{1,3})?$/),
      ),
    },
  };
}, 60_000);

afterAll(async () => {
  await app?.dispose();
  await sandbox?.close();
  rmSync(tmp, { recursive: true, force: true });
  const rows = [...figures.entries()].map(
    ([name, f]) =>
      `${name.padEnd(28)} invalid ${String(f.invalid).padStart(4)}  polluting ${String(f.polluting).padStart(3)}  valid ${String(f.valid).padStart(3)} (ok ${f.ok}; ${[...f.codes].join(',')})`,
  );
  const total = [...figures.values()].reduce((s, f) => s + f.invalid + f.polluting + f.valid, 0);
  console.log(`contract fuzz: ${figures.size} calls, ${total} inputs\n${rows.join('\n')}`);
});

describe.each(callNames.map((n) => [n]))('%s', (name: CallName) => {
  const schema = calls[name].input as z.ZodType;

  it('refuses invalid inputs with VALIDATION before any handler runs', async () => {
    const reached: Array<{ name: string; args: unknown }> = [];
    const handlers = recordingHandlers(reached);
    await fc.assert(
      fc.asyncProperty(invalidArbitrary(schema, options), async (input) => {
        const result = await dispatch(handlers, name, input);
        figure(name).invalid++;
        expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
        expect(reached).toEqual([]);
      }),
      { numRuns: INVALID_RUNS },
    );
  });

  it('never lets a __proto__ or constructor key reach a handler or a prototype', async () => {
    const reached: Array<{ name: string; args: unknown }> = [];
    const handlers = recordingHandlers(reached);
    await fc.assert(
      fc.asyncProperty(pollutingArbitrary(schema, options), async (input) => {
        reached.length = 0;
        const result = await dispatch(handlers, name, input);
        figure(name).polluting++;
        if (!result.ok) expect(['VALIDATION', 'INTERNAL']).toContain(result.error.code);
        for (const { args } of reached) {
          expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
          expect((args as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype.hasOwnProperty.call(args, '__proto__')).toBe(false);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: POLLUTING_RUNS },
    );
  });

  it('answers valid inputs with a Result and a stable code, never a throw, a hang or INTERNAL', async () => {
    const valid = validArbitrary(schema, options).filter((v) => schema.safeParse(v).success);
    await fc.assert(
      fc.asyncProperty(valid, async (input) => {
        const internal: unknown[] = [];
        const result = await Promise.race([
          dispatch(app.handlers, name, input, { onInternalError: (_n, err) => internal.push(err) }),
          new Promise<'hung'>((r) => setTimeout(() => r('hung'), CALL_DEADLINE_MS).unref()),
        ]);
        const f = figure(name);
        f.valid++;
        if (result === 'hung') {
          // A patient call may wait on its peer; cancelling it is the user's move, not a failure.
          expect(PATIENT_CALLS.has(name), `${name} did not answer within ${CALL_DEADLINE_MS} ms`).toBe(true);
          f.codes.add('(waiting)');
          return;
        }
        expect(typeof result.ok).toBe('boolean');
        if (result.ok) {
          f.ok++;
          return;
        }
        f.codes.add(result.error.code);
        expect(ERROR_CODES).toContain(result.error.code);
        expect(result.error.message.length).toBeGreaterThan(0);
        expect(
          result.error.code,
          `${name}(${JSON.stringify(input).slice(0, 300)}): ${result.error.message} ${String(internal[0])}`,
        ).not.toBe('INTERNAL');
      }),
      {
        numRuns: PATIENT_CALLS.has(name) ? 2 : VALID_RUNS,
        examples: (FOUND_BEFORE[name] ?? []).map((input) => [input]),
      },
    );
    // Fuzzed side effects stay in the temp folder.
    expect(existsSync(join(tmp, '..', 'escaped'))).toBe(false);
  }, 120_000);
});
