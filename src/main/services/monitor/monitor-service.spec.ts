import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VastClient, VastSandbox } from '../vast/index';
import { MonitorService, type MonitorEvents } from './monitor-service';
import { MONITOR_SETTINGS_FILE } from './settings-store';

let sandbox: VastSandbox;
let client: VastClient;
let dataDir: string;
let offerId: number;

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 5, loadingMs: 5, transitionMs: 5 } });
  client = new VastClient({ apiKey: sandbox.apiKey, baseUrl: await sandbox.start(), pollIntervalMs: 10 });
  offerId = (await client.searchOffers({ verified: false })).offers[0]!.id;
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  for (const i of await client.listInstances()) await client.destroyInstance(i.id);
  dataDir = mkdtempSync(join(tmpdir(), 'tstudio-monitor-'));
  return () => rmSync(dataDir, { recursive: true, force: true });
});

let apiKey = '';
function harness(extra: { now?: () => number } = {}) {
  apiKey = sandbox.apiKey;
  const events: { name: keyof MonitorEvents; payload: unknown }[] = [];
  const monitor = new MonitorService({
    connection: async () => ({ apiKey, baseUrl: sandbox.url, sandbox: true, hasKey: false }),
    dataDir,
    docker: null,
    emit: (e) => events.push(e),
    intervalMs: 50,
    ...extra,
  });
  const notes = () =>
    events
      .filter((e) => e.name === 'notification:raised')
      .map((e) => e.payload as MonitorEvents['notification:raised']);
  return { monitor, events, notes };
}

async function until<T>(
  what: string,
  fn: () => Promise<T | null | false> | T | null | false,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('MonitorService on the sandbox', () => {
  it('an instance becoming ready, then stopped, notifies once each, not again on the next polls', async () => {
    const { monitor, notes } = harness();
    const { instanceId } = await client.createInstance(offerId, {
      image: 'busybox:latest',
      mode: 'args',
      label: 'mon-a',
    });
    await monitor.pollNow(); // first sight: provisioning or loading; nothing to say yet
    await until('running', async () => (await monitor.pollNow()).targets.find((t) => t.state === 'running'));
    await monitor.pollNow();
    await monitor.pollNow();
    expect(notes().filter((n) => n.kind === 'instance-ready')).toHaveLength(1);
    const ready = notes().find((n) => n.kind === 'instance-ready')!;
    expect(ready.title).toContain('mon-a');
    expect(ready.target).toEqual({ view: 'vast', id: String(instanceId), anchor: `instance-${instanceId}` });

    await client.stopInstance(instanceId);
    await until('stopped', async () => (await monitor.pollNow()).counts.stopped === 1);
    await monitor.pollNow();
    await monitor.pollNow();
    expect(notes().filter((n) => n.kind === 'instance-stopped')).toHaveLength(1);
    expect(notes().filter((n) => n.kind === 'instance-ready')).toHaveLength(1);
  });

  it('an instance first seen already running is counted but not announced', async () => {
    const { instanceId } = await client.createInstance(offerId, { image: 'busybox:latest', mode: 'args' });
    await client.waitUntilRunning(instanceId);
    const { monitor, notes } = harness();
    const fleet = await monitor.pollNow();
    expect(fleet.counts.running).toBe(1);
    expect(notes()).toEqual([]);
  });

  it('a failed image pull notifies once as failed and lists the instance first for attention', async () => {
    const { monitor, notes } = harness();
    await monitor.pollNow();
    sandbox.setFaults({ failImagePull: true });
    try {
      await client.createInstance(offerId, { image: 'busybox:latest', mode: 'args', label: 'bad' });
    } finally {
      sandbox.setFaults({ failImagePull: false });
    }
    const fleet = await until('failed', async () => {
      const f = await monitor.pollNow();
      return f.counts.failed === 1 ? f : null;
    });
    await monitor.pollNow();
    expect(notes().filter((n) => n.kind === 'instance-failed')).toHaveLength(1);
    expect(fleet.targets.find((t) => t.state === 'failed')!.attention).toContain('failed');
  });

  it('counts states and sums $/h over the fleet', async () => {
    const ids = await Promise.all(
      [0, 1, 2].map(
        async (n) =>
          (await client.createInstance(offerId, { image: 'busybox:latest', mode: 'args', label: `f${n}` }))
            .instanceId,
      ),
    );
    for (const id of ids) await client.waitUntilRunning(id);
    await client.stopInstance(ids[2]!);
    const { monitor } = harness();
    const fleet = await until('one stopped', async () => {
      const f = await monitor.pollNow();
      return f.counts.stopped === 1 && f.counts.running === 2 ? f : null;
    });
    const raw = await client.listInstances();
    const running = raw.filter((i) => i.actual_status === 'running');
    const stopped = raw.find((i) => i.actual_status === 'stopped')!;
    const expected =
      running.reduce((s, i) => s + (i.dph_total ?? 0), 0) +
      ((stopped.storage_cost ?? 0) * (stopped.disk_space ?? 0)) / 720;
    expect(fleet.totalPerHour).toBeCloseTo(expected, 9);
    expect(fleet.targets).toHaveLength(3);
    expect(fleet.sources.vast).toEqual({ ok: true, error: null, sandbox: true });
  });

  it('keeps samples of running instances and hands them out since a time', async () => {
    const { instanceId } = await client.createInstance(offerId, { image: 'busybox:latest', mode: 'args' });
    await client.waitUntilRunning(instanceId);
    const { monitor, events } = harness();
    await monitor.pollNow();
    const t1 = monitor.fleet().at;
    await new Promise((r) => setTimeout(r, 5));
    await monitor.pollNow();
    const all = monitor.samples({ since: 0 });
    const series = all.series.find((s) => s.target === `instance:${instanceId}`)!;
    expect(series.at).toHaveLength(2);
    // The sandbox reports cpu_util 0.01 (a fraction): 1 %.
    expect(series.values.cpu).toEqual([1, 1]);
    expect(monitor.samples({ since: t1 }).series[0]!.at).toHaveLength(1);
    const sampled = events.filter((e) => e.name === 'monitor:sampled');
    expect(sampled).toHaveLength(2);
  });

  it('a per-instance budget crossed notifies once; a higher budget re-arms it', async () => {
    const { instanceId } = await client.createInstance(offerId, { image: 'busybox:latest', mode: 'args' });
    await client.waitUntilRunning(instanceId);
    const { monitor, notes } = harness();
    monitor.setSettings({ budgets: { perInstanceUsd: 0 } });
    await until('cost > 0', async () => ((await monitor.pollNow()).targets[0]?.costSoFar ?? 0) > 0);
    await monitor.pollNow();
    await monitor.pollNow();
    expect(notes().filter((n) => n.kind === 'budget-crossed')).toHaveLength(1);
    expect(monitor.fleet().targets[0]!.attention).toContain('over-budget');
    monitor.setSettings({ budgets: { perInstanceUsd: 1000 } });
    await monitor.pollNow();
    expect(monitor.fleet().targets[0]!.attention).not.toContain('over-budget');
    expect(
      JSON.parse(readFileSync(join(dataDir, MONITOR_SETTINGS_FILE), 'utf8')).budgets.perInstanceUsd,
    ).toBe(1000);
  });

  it('an idle GPU is flagged after the configured time, once, with a suggestion to stop', async () => {
    let now = Date.now();
    const { instanceId } = await client.createInstance(offerId, {
      image: 'busybox:latest',
      mode: 'args',
      label: 'lazy',
    });
    await client.waitUntilRunning(instanceId);
    const { monitor, notes } = harness({ now: () => now });
    monitor.setSettings({ idle: { gpuUtilBelow: 5, forMinutes: 1 } });
    await monitor.pollNow(); // sandbox gpu_util is 0
    expect(notes()).toEqual([]);
    now += 61_000;
    await monitor.pollNow();
    now += 10_000;
    await monitor.pollNow();
    const idle = notes().filter((n) => n.kind === 'instance-idle');
    expect(idle).toHaveLength(1);
    expect(idle[0]!.body).toMatch(/Stop it/);
    expect(monitor.fleet().targets[0]!.attention).toEqual(['idle']);
  });

  it('a switched-off kind stays quiet', async () => {
    const { monitor, notes } = harness();
    monitor.setSettings({ notify: { 'build-failed': false } });
    monitor.onOperationStateChanged(op('b1', 'build', 'failed'));
    monitor.onOperationStateChanged(op('b2', 'build', 'succeeded'));
    expect(notes().map((n) => n.kind)).toEqual(['build-finished']);
  });

  it('keeps the last rows and says why when the list call fails', async () => {
    const { instanceId } = await client.createInstance(offerId, { image: 'busybox:latest', mode: 'args' });
    await client.waitUntilRunning(instanceId);
    const { monitor } = harness();
    await monitor.pollNow();
    apiKey = 'a-key-the-sandbox-refuses';
    const fleet = await monitor.pollNow();
    expect(fleet.sources.vast.ok).toBe(false);
    expect(fleet.sources.vast.error).toMatch(/key/i);
    expect(fleet.targets).toHaveLength(1);
  });
});

function op(id: string, kind: string, state: 'succeeded' | 'failed') {
  return {
    id,
    kind,
    title: `Build demo:${id}`,
    state,
    startedAt: 1,
    endedAt: 2,
    lastSeq: 3,
    error: state === 'failed' ? { code: 'BUILD_FAILED' as const, message: 'step 3 failed' } : null,
  };
}

describe('notifications from events outside the poll', () => {
  it('a build ending notifies once, even if its state arrives again', () => {
    const { monitor, notes } = harness();
    monitor.onOperationStateChanged({ ...op('b1', 'build', 'failed'), state: 'running', error: null });
    monitor.onOperationStateChanged(op('b1', 'build', 'failed'));
    monitor.onOperationStateChanged(op('b1', 'build', 'failed'));
    monitor.onOperationStateChanged(op('p1', 'push', 'failed'));
    expect(notes()).toHaveLength(1);
    expect(notes()[0]).toMatchObject({
      kind: 'build-failed',
      severity: 'error',
      target: { view: 'builds', id: 'b1' },
    });
    expect(notes()[0]!.body).toContain('step 3 failed');
    expect(monitor.notifications.list()).toHaveLength(1);
  });

  it('a program entering BACKOFF or FATAL notifies once per entry', () => {
    const { monitor, notes } = harness();
    const status = (state: string) => [
      { name: 'api', state },
      { name: 'skipme', state: 'FATAL', skipped: true },
    ];
    monitor.onProgramStates('r1', 'demo', status('RUNNING'), 'running');
    monitor.onProgramStates('r1', 'demo', status('BACKOFF'), 'running');
    monitor.onProgramStates('r1', 'demo', status('BACKOFF'), 'running');
    // supervisord's retries: STARTING and BACKOFF again are the same failure, told once.
    monitor.onProgramStates('r1', 'demo', status('STARTING'), 'running');
    monitor.onProgramStates('r1', 'demo', status('BACKOFF'), 'running');
    monitor.onProgramStates('r1', 'demo', status('FATAL'), 'failed');
    monitor.onProgramStates('r1', 'demo', status('FATAL'), 'failed');
    expect(notes().map((n) => `${n.kind}:${n.severity}`)).toEqual([
      'program-failed:warning',
      'program-failed:error',
      'provisioning-failed:error',
    ]);
    expect(notes()[1]!.target).toEqual({ view: 'runs', id: 'r1', anchor: 'program-log-api' });
  });

  it('a tunnel down for the configured time notifies once; one back in time does not', async () => {
    const { monitor, notes } = harness();
    monitor.setSettings({ tunnelDownSeconds: 1 });
    const t = (id: string, state: 'up' | 'retrying') => ({
      id,
      target: { kind: 'run' as const, id: 'r1' },
      state,
      remoteHost: '127.0.0.1',
      remotePort: 8080,
      requestedLocalPort: 0,
      localPort: 40000,
      activeConnections: 0,
      totalConnections: 0,
      bytesOut: 0,
      bytesIn: 0,
      error: null,
    });
    monitor.onTunnelStateChanged(t('down', 'retrying') as never);
    monitor.onTunnelStateChanged(t('blip', 'retrying') as never);
    monitor.onTunnelStateChanged(t('blip', 'up') as never);
    monitor.onTunnelStateChanged(t('down', 'retrying') as never);
    await until('tunnel-down', () => notes().some((n) => n.kind === 'tunnel-down'), 10_000);
    await new Promise((r) => setTimeout(r, 1200));
    expect(
      notes()
        .filter((n) => n.kind === 'tunnel-down')
        .map((n) => n.target.id),
    ).toEqual(['down']);
    monitor.stop();
  });
});
