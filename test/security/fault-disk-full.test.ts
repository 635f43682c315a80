import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main/app';
import { call, testApp, waitFor } from './helpers/test-app';

// The disk that holds the app's data fills up while a build writes its log. The data folder is a
// 64 KiB tmpfs (the tests run as root); the build prints far more than that.

const NONCE = `diskfull-${Date.now()}`;
let tmp: string;
let mount: string;
let mounted = false;
let app: App | null = null;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-fault-disk-'));
  mount = join(tmp, 'small');
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount]);
  mounted = true;
});

afterAll(async () => {
  await app?.dispose();
  if (mounted) execFileSync('umount', [mount]);
  const ids = execFileSync('docker', ['images', '-q', '--filter', `label=tstudio.diskfull=${NONCE}`])
    .toString()
    .trim();
  if (ids) execFileSync('docker', ['rmi', '-f', ...new Set(ids.split('\n'))], { stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
});

describe('the disk for logs is full', () => {
  it('does not take the app down, keeps every JSON file whole, and recovers when space returns', async () => {
    const a = testApp(mount, '/var/run/docker.sock');
    app = a;
    const ctx = join(tmp, 'ctx');
    mkdirSync(ctx);
    // ~300 KB of log: several times the disk.
    writeFileSync(
      join(ctx, 'Dockerfile'),
      `FROM tstudio/base:bookworm\nRUN echo ${NONCE} && for i in $(seq 1 3000); do echo "filler line $i ${'x'.repeat(80)}"; done\n`,
    );
    const { operationId } = await call(a, 'builds:start', {
      contextDir: ctx,
      labels: { 'tstudio.test': '1', 'tstudio.diskfull': NONCE },
      noCache: true,
    });
    const op = await waitFor(
      'the build to end',
      async () => {
        const ops = await call(a, 'operations:list', {});
        return ops.find((o) => o.id === operationId && o.state !== 'running') ?? null;
      },
      60_000,
    );
    // The app is still up (a write error used to be an unhandled 'error' event that ended the
    // process; vitest fails the file on any unhandled error), every JSON file it keeps still parses,
    // and the build does not claim success: it names the lost log and what to do.
    const history = await call(a, 'builds:history', { limit: 200 });
    const record = history.find((r) => r.id === operationId);
    console.log(`disk full during a build: operation ${op.state}; history says ${record?.outcome}`);
    expect(op.state).toBe('failed');
    expect(op.error).toMatchObject({ code: 'IO', message: expect.stringMatching(/disk/) });
    const historyDir = join(mount, 'data', 'builds');
    for (const f of readdirSync(historyDir).filter((n) => n.endsWith('.json'))) {
      expect(() => JSON.parse(readFileSync(join(historyDir, f), 'utf8')), f).not.toThrow();
    }
    expect(record).toBeTruthy();

    // Space comes back: the next build is recorded in full, without a restart.
    rmSync(join(historyDir, 'logs'), { recursive: true, force: true });
    writeFileSync(join(ctx, 'Dockerfile'), `FROM tstudio/base:bookworm\nRUN echo small-${NONCE}\n`);
    const next = await call(a, 'builds:start', {
      contextDir: ctx,
      labels: { 'tstudio.test': '1', 'tstudio.diskfull': NONCE },
    });
    const done = await waitFor(
      'the next build in the history',
      async () => {
        const h = await call(a, 'builds:history', { limit: 200 });
        return h.find((r) => r.id === next.operationId && r.outcome !== 'running') ?? null;
      },
      60_000,
    );
    expect(done.outcome).toBe('succeeded');
    expect((await call(a, 'builds:log', { id: next.operationId })).text).toContain(`small-${NONCE}`);
  });
});
