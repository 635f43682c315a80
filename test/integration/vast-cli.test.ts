import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { vastCalls } from '../../src/shared/contract/vast';
import { OperationManager } from '../../src/main/services/operations/index';
import { VastSandbox, InstanceLedger } from '../../src/main/services/vast/index';
import { createVastHandlers } from '../../src/main/handlers/vast';
import { runSandbox } from '../../src/main/cli/commands/sandbox';
import {
  resolveVastKey,
  runVastDestroy,
  runVastInstances,
  runVastLaunch,
  runVastLogs,
  runVastOffers,
  runVastPublish,
} from '../../src/main/cli/commands/vast';

// The CLI functions and the UI handlers, end to end against the sandbox (no Docker needed).
const DEMO = resolve(__dirname, '../../resources/demo-template');

let sandbox: VastSandbox;
let url: string;
let home: string;

function collect() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) },
    out,
    err,
    text: () => out.join(''),
    errText: () => err.join(''),
  };
}

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 10, loadingMs: 50, transitionMs: 10 } });
  url = await sandbox.start();
  home = mkdtempSync(join(tmpdir(), 'tstudio-vast-cli-'));
});

afterAll(async () => {
  await sandbox.close();
  rmSync(home, { recursive: true, force: true });
});

describe('tstudio sandbox', () => {
  it('prints the URL and key, serves with that key, and stops on Ctrl-C', async () => {
    const c = collect();
    const ac = new AbortController();
    let served: VastSandbox | null = null;
    const done = runSandbox(
      { apiKey: 'my-sandbox-key' },
      { ...c.io, signal: ac.signal },
      { onListening: (s) => (served = s) },
    );
    const deadline = Date.now() + 5000;
    while (!served && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(served).not.toBeNull();
    const sbUrl = (served as unknown as VastSandbox).url;
    expect(c.text()).toContain(sbUrl);
    expect(c.text()).toContain('my-sandbox-key');
    expect(
      (await fetch(`${sbUrl}/api/v0/users/current/`, { headers: { Authorization: 'Bearer my-sandbox-key' } }))
        .status,
    ).toBe(200);
    expect(
      (await fetch(`${sbUrl}/api/v0/users/current/`, { headers: { Authorization: 'Bearer other-key' } }))
        .status,
    ).toBe(401);
    ac.abort();
    expect(await done).toBe(0);
    await expect(fetch(`${sbUrl}/api/v0/users/current/`)).rejects.toThrow();
  });

  it('makes a key when none is given', async () => {
    const c = collect();
    const ac = new AbortController();
    let served: VastSandbox | null = null;
    const done = runSandbox({}, { ...c.io, signal: ac.signal }, { onListening: (s) => (served = s) });
    while (!served) await new Promise((r) => setTimeout(r, 10));
    expect(c.text()).toMatch(/API key: [0-9a-f]{64}/);
    ac.abort();
    expect(await done).toBe(0);
  });
});

describe('tstudio vast', () => {
  const ctx = () => ({
    env: { VAST_URL: url, VAST_API_KEY: sandbox.apiKey },
    home,
    dataDir: join(home, 'data'),
    pollIntervalMs: 20,
  });

  it('finds the key the way the vast CLI does', () => {
    const h = join(home, 'keyhome');
    mkdirSync(join(h, '.config', 'vastai'), { recursive: true });
    writeFileSync(join(h, '.config', 'vastai', 'vast_api_key'), 'from-file\n');
    expect(resolveVastKey(undefined, {}, h)).toBe('from-file');
    expect(resolveVastKey(undefined, { VAST_API_KEY: 'from-env' }, h)).toBe('from-env');
    expect(resolveVastKey('explicit', { VAST_API_KEY: 'from-env' }, h)).toBe('explicit');
    expect(resolveVastKey(undefined, {}, join(home, 'nobody'))).toBeNull();
  });

  it('says how to get a key when there is none', async () => {
    const c = collect();
    await expect(runVastOffers({}, c.io, { env: {}, home: join(home, 'nobody') })).rejects.toMatchObject({
      code: 'VAST_AUTH',
      message: expect.stringMatching(/tstudio sandbox/),
    });
  });

  it('lists offers as a table and as JSON, with the template extra_filters', async () => {
    const table = collect();
    expect(await runVastOffers({ gpu: 'RTX_4090', order: 'dph_total' }, table.io, ctx())).toBe(0);
    expect(table.text()).toMatch(/^ID\s+GPU\s+N\s+VRAM/);
    expect(table.text()).toContain('RTX 4090');
    expect(table.errText()).toContain('"gpu_name":{"eq":"RTX 4090"}');

    const json = collect();
    expect(await runVastOffers({ template: DEMO, query: ['num_gpus>=2'], json: true }, json.io, ctx())).toBe(
      0,
    );
    const parsed = JSON.parse(json.text()) as {
      query: Record<string, unknown>;
      offers: { computeCap: number; diskSpaceGb: number; numGpus: number }[];
    };
    expect(parsed.query.compute_cap).toEqual({ gte: 750 });
    expect(parsed.offers.length).toBeGreaterThan(0);
    for (const o of parsed.offers) {
      expect(o.computeCap).toBeGreaterThanOrEqual(750);
      expect(o.diskSpaceGb).toBeGreaterThanOrEqual(16);
      expect(o.numGpus).toBeGreaterThanOrEqual(2);
    }
  });

  it('launches the demo template, lists it, shows its logs and destroys it', async () => {
    const offers = collect();
    await runVastOffers({ json: true, template: DEMO }, offers.io, ctx());
    const offerId = (JSON.parse(offers.text()) as { offers: { id: number }[] }).offers[0]!.id;

    const launch = collect();
    expect(await runVastLaunch({ path: DEMO, offer: offerId, json: true }, launch.io, ctx())).toBe(0);
    const inst = JSON.parse(launch.text()) as {
      id: number;
      actualStatus: string;
      label: string;
      runtype: string;
      ssh: { kind: string };
    };
    expect(inst.actualStatus).toBe('running');
    expect(inst.label).toBe('tstudio:Template Studio Demo');
    expect(inst.runtype).toBe('ssh_direc ssh_proxy');
    expect(inst.ssh.kind).toBe('direct');
    expect(launch.errText()).toMatch(/costs money until destroyed/);
    expect(new InstanceLedger(join(home, 'data')).list().map((e) => e.instanceId)).toContain(inst.id);

    const list = collect();
    await runVastInstances({ json: true }, list.io, ctx());
    const found = (JSON.parse(list.text()) as { id: number; createdByApp: boolean }[]).find(
      (i) => i.id === inst.id,
    );
    expect(found?.createdByApp).toBe(true);
    const listTable = collect();
    await runVastInstances({}, listTable.io, ctx());
    expect(listTable.text()).toContain(String(inst.id));

    const logs = collect();
    expect(await runVastLogs({ id: inst.id }, logs.io, ctx())).toBe(0);
    expect(logs.text()).toContain('container started');

    const destroy = collect();
    expect(await runVastDestroy({ id: inst.id }, destroy.io, ctx())).toBe(0);
    expect(new InstanceLedger(join(home, 'data')).list().map((e) => e.instanceId)).not.toContain(inst.id);
  });

  it('publishes a template, then updates it (same id, new hash)', async () => {
    const first = collect();
    expect(await runVastPublish({ path: DEMO, json: true }, first.io, ctx())).toBe(0);
    const a = JSON.parse(first.text()) as { id: number; hashId: string; action: string };
    expect(a.action).toBe('created');
    const second = collect();
    await runVastPublish({ path: DEMO, json: true }, second.io, ctx());
    const b = JSON.parse(second.text()) as { id: number; hashId: string; action: string };
    expect(b).toMatchObject({ id: a.id, action: 'updated' });
    expect(b.hashId).not.toBe(a.hashId);
  });
});

describe('vast handlers', () => {
  const dataDir = () => join(home, 'handlers');
  const ops = new OperationManager({ event: () => undefined, stateChanged: () => undefined });
  const handlers = () =>
    createVastHandlers({
      connection: async () => ({ apiKey: sandbox.apiKey, baseUrl: url, sandbox: true, hasKey: false }),
      operations: ops,
      dataDir: dataDir(),
      clientOptions: { pollIntervalMs: 20 },
    });

  it('describes the account without the key', async () => {
    const account = await handlers()['vast:account']({});
    expect(vastCalls['vast:account'].output.parse(account)).toMatchObject({
      sandbox: true,
      hasKey: false,
      user: { email: 'sandbox@localhost' },
    });
    expect(JSON.stringify(account)).not.toContain(sandbox.apiKey);
  });

  it('plans, launches as an operation, and refuses a destroy without the right confirmation', async () => {
    const h = handlers();
    const { offers } = vastCalls['vast:offers'].output.parse(
      await h['vast:offers']({ filters: { gpuName: 'RTX 3090' }, templatePath: DEMO }),
    );
    const offer = offers[0]!;
    const plan = vastCalls['vast:launchPlan'].output.parse(
      await h['vast:launchPlan']({ templatePath: DEMO, offerId: offer.id, mode: 'jupyter' }),
    );
    expect(plan).toMatchObject({
      image: 'tstudio/demo:dev',
      mode: 'jupyter',
      runtype: 'jupyter_proxy ssh_proxy',
      diskGb: 16,
      dphTotal: offer.dphTotal,
    });
    expect(plan.ports).toEqual(['22:22', '8000:8000', '8080:8080']);

    const { opId } = await h['vast:launch']({ templatePath: DEMO, offerId: offer.id, label: 'mine' });
    const settled = await ops.settled(opId);
    expect(settled.state).toBe('succeeded');
    const result = vastCalls['vast:instance'].output.parse(settled.result);
    expect(result).toMatchObject({ actualStatus: 'running', label: 'tstudio:mine', createdByApp: true });
    const events = ops.replay(opId).events.map((e) => e.type);
    expect(events).toContain('created');
    expect(events).toContain('progress');

    const list = vastCalls['vast:instances'].output.parse(await h['vast:instances']({}));
    expect(list.find((i) => i.id === result.id)?.createdByApp).toBe(true);

    await expect(h['vast:destroy']({ id: result.id, confirm: 'nope' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await h['vast:label']({ id: result.id, label: 'tstudio:renamed' });
    await h['vast:destroy']({ id: result.id, confirm: 'tstudio:renamed' });
    await expect(h['vast:instance']({ id: result.id })).rejects.toBeInstanceOf(AppError);
    const ledger = vastCalls['vast:ledger'].output.parse(await h['vast:ledger']({ includeDestroyed: true }));
    expect(ledger.find((e) => e.instanceId === result.id)?.destroyedAt).toBeTypeOf('number');
  });

  it('lists only the account templates and marks the app-published ones', async () => {
    const h = handlers();
    const published = await h['vast:publishTemplate']({ templatePath: DEMO });
    const rows = vastCalls['vast:templates'].output.parse(await h['vast:templates']({}));
    expect(rows.find((r) => r.id === published.id)).toMatchObject({
      publishedByApp: true,
      hashId: published.hashId,
    });
    expect(rows.every((r) => r.name !== 'NVIDIA CUDA')).toBe(true);
    await h['vast:deleteTemplate']({ id: published.id });
    expect((await h['vast:templates']({})).find((r) => r.id === published.id)).toBeUndefined();
  });
});
