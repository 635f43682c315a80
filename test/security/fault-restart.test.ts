import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VastSandbox } from '../../src/main/services/vast';
import { REPO_ROOT, startServe, type ServeHandle } from '../integration/helpers/cli';
import { ShellClient } from './helpers/ws-client';
import { waitFor } from './helpers/test-app';

// `tstudio serve` is killed with SIGKILL (no chance to save anything) while a build runs, then
// started again on the same data folder: what it knew must come back.

const NONCE = `restart-${Date.now()}`;
const TAG = `tstudio-test/restart:${NONCE}`;
const demo = join(REPO_ROOT, 'resources', 'demo-template');
let tmp: string;
let sandbox: VastSandbox;
let env: NodeJS.ProcessEnv;
const serves: ServeHandle[] = [];

type BuildRecord = { id: string; outcome: string; logBytes: number };
type OperationRecord = { id: string; state: string; error: { message: string } | null; result?: unknown };
type RunRecord = {
  id: string;
  state: string;
  mode: string;
  ports: Record<string, number>;
  ssh: { host: string; port: number; user: string; identityFile: string } | null;
};
const runIds: string[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'tstudio-fault-restart-'));
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 20, transitionMs: 10 } });
  const vastUrl = await sandbox.start();
  env = { TSTUDIO_DATA_DIR: join(tmp, 'data'), VAST_URL: vastUrl, HOME: join(tmp, 'home') };
  for (const name of ['ok', 'slow']) mkdirSync(join(tmp, name));
  writeFileSync(join(tmp, 'ok', 'Dockerfile'), `FROM tstudio/base:bookworm\nRUN echo built-${NONCE}\n`);
  writeFileSync(
    join(tmp, 'slow', 'Dockerfile'),
    `FROM tstudio/base:bookworm\nRUN echo slow-${NONCE} && sleep 60\n`,
  );
});

afterAll(async () => {
  for (const s of serves) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
  await sandbox?.close();
  execFileSync('docker', ['rmi', '-f', TAG], { stdio: 'ignore' });
  for (const id of runIds) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
});

async function startConnected(): Promise<{ serve: ServeHandle; client: ShellClient }> {
  const serve = await startServe(env);
  serves.push(serve);
  return { serve, client: await ShellClient.connect(serve) };
}

/** SIGKILL (no exit handlers, nothing flushed), then a new `tstudio serve` on the same data folder. */
async function killAndRestart(
  serve: ServeHandle,
  client: ShellClient,
): Promise<{ serve: ServeHandle; client: ShellClient }> {
  serve.child.kill('SIGKILL');
  await waitFor(
    'the first process to die',
    () => serve.child.exitCode !== null || serve.child.signalCode !== null,
  );
  client.close();
  return startConnected();
}

describe('the app is killed and restarted', () => {
  it('brings back the build history with logs, the Vast key and the instance ledger', async () => {
    const { serve: first, client: c1 } = await startConnected();
    // No OS keychain here: storing the key needs the user's explicit consent to plain text.
    await c1.call('secrets:acceptPlaintext', { accept: true });
    await c1.call('vast:setKey', { apiKey: sandbox.apiKey });
    const offers = await c1.call<{ offers: { id: number }[] }>('vast:offers', { filters: {} });
    await c1.call('vast:launch', {
      templatePath: demo,
      offerId: offers.offers[0]!.id,
      mode: 'ssh',
      label: NONCE,
    });
    const ledger = await waitFor('the launch in the ledger', async () => {
      const rows = await c1.call<{ instanceId: number; label: string }[]>('vast:ledger', {
        includeDestroyed: true,
      });
      return rows.find((r) => r.label.endsWith(NONCE)) ?? null;
    });

    const labels = { 'tstudio.test': '1' };
    const ok = await c1.call<{ operationId: string }>('builds:start', {
      contextDir: join(tmp, 'ok'),
      tags: [TAG],
      labels,
    });
    await waitFor(
      'the first build to succeed',
      async () => {
        const h = await c1.call<BuildRecord[]>('builds:history', {});
        return h.find((r) => r.id === ok.operationId && r.outcome === 'succeeded');
      },
      60_000,
    );
    const slow = await c1.call<{ operationId: string }>('builds:start', {
      contextDir: join(tmp, 'slow'),
      labels,
      noCache: true,
    });
    await waitFor(
      'the slow build to print',
      async () => {
        const log = await c1.call<{ text: string }>('builds:log', { id: slow.operationId });
        return log.text.includes(`slow-${NONCE}`);
      },
      60_000,
    );

    const { client: c2 } = await killAndRestart(first, c1);
    const history = await c2.call<BuildRecord[]>('builds:history', {});
    const okAgain = history.find((r) => r.id === ok.operationId);
    const slowAgain = history.find((r) => r.id === slow.operationId);
    expect(okAgain?.outcome).toBe('succeeded');
    // The build that was running when the app died is not left "running" forever.
    expect(slowAgain?.outcome).toBe('interrupted');
    const okLog = await c2.call<{ text: string }>('builds:log', { id: ok.operationId });
    expect(okLog.text).toContain(`built-${NONCE}`);
    const slowLog = await c2.call<{ text: string }>('builds:log', { id: slow.operationId });
    expect(slowLog.text).toContain(`slow-${NONCE}`);
    JSON.parse(readFileSync(join(tmp, 'data', 'builds', 'index.json'), 'utf8'));

    const account = await c2.call<{ hasKey: boolean; sandbox: boolean }>('vast:account', {});
    expect(account).toMatchObject({ hasKey: true, sandbox: false });
    const rows = await c2.call<{ instanceId: number; label: string }[]>('vast:ledger', {
      includeDestroyed: true,
    });
    expect(rows.find((r) => r.instanceId === ledger.instanceId)?.label).toBe(ledger.label);
    const instances = await c2.call<{ id: number }[]>('vast:instances', {});
    expect(instances.map((i) => i.id)).toContain(ledger.instanceId);
    c2.close();
  });

  it('finds a local run again, running, with the same ports, and logs into it with the same key; a closed tab’s watch ends', async () => {
    const { serve: first, client: c1 } = await startConnected();
    const { opId } = await c1.call<{ opId: string }>('runs:start', {
      // The template, not the bare image: its onstart (entrypoint.sh) starts supervisord.
      source: demo,
      mode: 'ssh',
      build: 'if-missing',
      readyTimeoutSeconds: 120,
    });
    const ready = await waitFor(
      'the run to be ready',
      async () => {
        const ops = await c1.call<OperationRecord[]>('operations:list', { kind: 'run' });
        const op = ops.find((o) => o.id === opId);
        if (op?.state === 'failed') throw new Error(`the run failed: ${op.error?.message}`);
        return op?.state === 'succeeded' ? (op.result as { run: RunRecord }) : null;
      },
      150_000,
    );
    runIds.push(ready.run.id);
    const before = ready.run;
    expect(before.ssh).not.toBeNull();

    const { serve: second, client: c2 } = await killAndRestart(first, c1);
    const after = await c2.call<RunRecord>('runs:get', { id: before.id });
    expect(after.state).toBe('running');
    expect(after.mode).toBe('ssh');
    expect(after.ports).toEqual(before.ports);
    expect(after.ssh).toEqual(before.ssh);
    // The app key survived in the data folder: a login through the restarted app still works.
    // supervisord may still be starting when SSH is ready; the restarted app reaches it once it is.
    await waitFor('supervisord through the restarted app', async () => {
      const status = await c2.call<{ supervisord: string }>('runs:status', { id: before.id });
      return status.supervisord === 'running';
    });
    const term = await c2.call<{ id: string }>('terminal:open', { target: before.id });
    await c2.call('terminal:close', { id: term.id });

    // A tab that goes away without cancelling (closed, crashed) takes its live watches with it.
    const watch = await c2.call<{ opId: string }>('runs:watchStatus', { id: before.id, intervalMs: 500 });
    c2.close();
    const c3 = await ShellClient.connect(second);
    await waitFor('the closed tab’s watch to be cancelled', async () => {
      const ops = await c3.call<OperationRecord[]>('operations:list', {});
      return ops.find((o) => o.id === watch.opId)?.state === 'cancelled';
    });
    await c3.call('runs:remove', { id: before.id });
    runIds.splice(runIds.indexOf(before.id), 1);
    c3.close();
  }, 240_000);
});
