import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { InstanceLedger, sshEndpoint, VastClient, VastSandbox } from '../../src/main/services/vast/index';

// Every client call against the sandbox on 127.0.0.1 (no Docker needed: the no-container backend).
const FAST = { provisionMs: 20, loadingMs: 80, transitionMs: 30 };

let sandbox: VastSandbox;
let url: string;
let dataDir: string;

function client(extra: Partial<ConstructorParameters<typeof VastClient>[0]> = {}): VastClient {
  return new VastClient({
    apiKey: sandbox.apiKey,
    baseUrl: url,
    pollIntervalMs: 25,
    logsPollIntervalMs: 20,
    backoffMs: 5,
    ...extra,
  });
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
  sandbox = new VastSandbox({ timings: FAST });
  url = await sandbox.start();
  dataDir = mkdtempSync(join(tmpdir(), 'tstudio-vast-'));
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('VastClient against the sandbox', () => {
  it('reads the current user without keeping the key', async () => {
    const user = await client().currentUser();
    expect(user.email).toBe('sandbox@localhost');
    expect(user.credit).toBeGreaterThan(0);
    expect(JSON.stringify(user)).not.toContain(sandbox.apiKey);
  });

  it('maps a wrong key to VAST_AUTH without leaking it', async () => {
    const err = await rejection(new VastClient({ apiKey: 'wrong-key-123456', baseUrl: url }).currentUser());
    expect(err.code).toBe('VAST_AUTH');
    expect(err.message).toContain('Invalid user key');
    expect(err.message).not.toContain('wrong-key-123456');
  });

  it('searches offers with filters, default filters and order', async () => {
    const { query, offers } = await client().searchOffers({
      gpuName: 'RTX_4090',
      minGpuRamGb: 20,
      order: 'dph_total',
    });
    expect(query.gpu_name).toEqual({ eq: 'RTX 4090' });
    expect(query.gpu_ram).toEqual({ gte: 20000 });
    expect(query.verified).toEqual({ eq: true });
    expect(offers.length).toBeGreaterThan(1);
    for (const o of offers) {
      expect(o.gpu_name).toBe('RTX 4090');
      expect(o.verified).toBe(true);
    }
    const prices = offers.map((o) => o.dph_total);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('filters by country code, CUDA, reliability and a raw CLI query', async () => {
    const { offers } = await client().searchOffers({
      countries: ['US'],
      minCuda: 12.4,
      minReliability: 0.95,
      query: 'num_gpus>=2 inet_down>200',
    });
    expect(offers.length).toBeGreaterThan(0);
    for (const o of offers) {
      expect(o.geolocation).toMatch(/, US$/);
      expect(o.cuda_max_good).toBeGreaterThanOrEqual(12.4);
      expect(o.reliability).toBeGreaterThanOrEqual(0.95);
      expect(o.num_gpus).toBeGreaterThanOrEqual(2);
    }
  });

  it('creates an instance, records it, waits until running, and computes its SSH endpoint', async () => {
    const ledger = new InstanceLedger(dataDir);
    const c = client({ ledger });
    const { offers } = await c.searchOffers({ gpuName: 'RTX 3090', order: 'dph_total' });
    const offer = offers[0]!;
    const { instanceId, instanceApiKey } = await c.createInstance(offer.id, {
      image: 'tstudio/demo:dev',
      mode: 'ssh-direct',
      env: { TZ: 'UTC', PORTAL_CONFIG: 'localhost:1111:11111:/:Portal|localhost:8080:18080:/:Jupyter' },
      ports: ['1111', '8384:8384'],
      onstart: 'echo hello',
      label: 'tstudio:test',
      dphTotal: offer.dph_total,
    });
    expect(instanceApiKey).toMatch(/^[0-9a-f]{64}$/);
    expect(ledger.list().map((e) => e.instanceId)).toContain(instanceId);

    const first = await c.getInstance(instanceId);
    expect(first.actual_status === null || first.actual_status === 'loading').toBe(true);
    expect(first.ports === null || Object.keys(first.ports ?? {}).length === 0).toBe(true);

    const seen: string[] = [];
    const running = await c.waitUntilRunning(instanceId, {
      onProgress: (i) => seen.push(String(i.actual_status)),
    });
    expect(running.actual_status).toBe('running');
    expect(seen.at(-1)).toBe('running');
    expect(running.image_runtype).toBe('ssh_direc ssh_proxy');
    expect(running.jupyter_token).toMatch(/^[0-9a-f]{64}$/);
    expect(running.extra_env).toEqual(
      expect.arrayContaining([
        ['TZ', 'UTC'],
        ['-p 1111:1111', '1'],
      ]),
    );
    // The CLI dropped the jupyter entry because the runtype is not jupyter.
    expect(running.extra_env).toEqual(
      expect.arrayContaining([['PORTAL_CONFIG', 'localhost:1111:11111:/:Portal']]),
    );
    expect(typeof running.ports?.['22/tcp']?.[0]?.HostPort).toBe('string');
    expect(running.ports?.['1111/tcp']).toBeDefined();
    const ssh = sshEndpoint(running)!;
    expect(ssh.kind).toBe('direct');
    expect(ssh.host).toBe('127.0.0.1');
    expect(ssh.port).toBe(Number(running.ports?.['22/tcp']?.[0]?.HostPort));
  });

  it('uses the proxy endpoint with +1 for a jupyter instance', async () => {
    const c = client();
    const { offers } = await c.searchOffers({ gpuName: 'L40S' });
    const { instanceId } = await c.createInstance(offers[0]!.id, {
      image: 'tstudio/demo:dev',
      mode: 'jupyter',
    });
    const inst = await c.waitUntilRunning(instanceId);
    expect(inst.image_runtype).toBe('jupyter_proxy ssh_proxy');
    expect(inst.ports?.['22/tcp']).toBeUndefined();
    const ssh = sshEndpoint(inst)!;
    expect(ssh.kind).toBe('proxy');
    expect(ssh.port).toBe(Number(inst.ssh_port) + 1);
  });

  it('lists instances through v1 pages of 25 and reads single ones', async () => {
    const c = client();
    const { offers } = await c.searchOffers({ gpuName: 'RTX 4090' });
    const created: number[] = [];
    for (let i = 0; i < 30; i++)
      created.push(
        (
          await c.createInstance(offers[i % offers.length]!.id, {
            image: 'busybox:latest',
            mode: 'args',
            args: ['sleep', '1d'],
            label: `fleet-${i}`,
          })
        ).instanceId,
      );
    const all = await c.listInstances();
    const ids = all.map((i) => i.id);
    for (const id of created) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    const only = await c.listInstances({ selectFilters: { label: { eq: 'fleet-7' } } });
    expect(only.map((i) => i.id)).toEqual([created[7]]);
    const single = await c.getInstance(created[3]!);
    expect(single.label).toBe('fleet-3');
    expect(single.image_runtype).toBe('args');
    expect(single.image_args).toEqual(['sleep', '1d']);
    for (const id of created) await c.destroyInstance(id);
  });

  it('stops, starts, reboots, relabels and destroys', async () => {
    const ledger = new InstanceLedger(dataDir);
    const c = client({ ledger });
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, {
      image: 'tstudio/demo:dev',
      mode: 'ssh',
      label: 'before',
    });
    await c.waitUntilRunning(instanceId);

    await c.stopInstance(instanceId);
    await pollUntil(async () => (await c.getInstance(instanceId)).actual_status === 'stopped');
    const stopped = await c.getInstance(instanceId);
    expect(stopped.intended_status).toBe('stopped');
    expect(stopped.ports).toBeNull();

    await c.startInstance(instanceId);
    await c.waitUntilRunning(instanceId);
    await c.rebootInstance(instanceId);
    await c.waitUntilRunning(instanceId);

    await c.labelInstance(instanceId, 'after');
    expect((await c.getInstance(instanceId)).label).toBe('after');
    const long = await rejection(c.labelInstance(instanceId, 'x'.repeat(1025)));
    expect(long.code).toBe('VAST_REQUEST');
    expect(long.message).toMatch(/too long/i);

    await c.destroyInstance(instanceId);
    const gone = await rejection(c.getInstance(instanceId));
    expect(gone.code).toBe('NOT_FOUND');
    expect(ledger.list().map((e) => e.instanceId)).not.toContain(instanceId);
    expect(
      ledger.list({ includeDestroyed: true }).find((e) => e.instanceId === instanceId)?.destroyedAt,
    ).toBeTypeOf('number');
    expect((await rejection(c.destroyInstance(instanceId))).code).toBe('NOT_FOUND');
    expect((await rejection(c.stopInstance(instanceId))).code).toBe('NOT_FOUND');
  });

  it('refuses an unknown offer with a message about the offer', async () => {
    const err = await rejection(client().createInstance(1, { image: 'x:y', mode: 'ssh' }));
    expect(err.code).toBe('VAST_REQUEST');
    expect(err.message).toMatch(/no longer available/);
  });

  it('fetches logs through the result_url flow (404 first, then text)', async () => {
    sandbox.setFaults({ logsNotReadyPolls: 3 });
    try {
      const c = client();
      const { offers } = await c.searchOffers({});
      const { instanceId } = await c.createInstance(offers[0]!.id, {
        image: 'tstudio/demo:dev',
        mode: 'ssh',
        onstart: 'echo hi',
      });
      await c.waitUntilRunning(instanceId);
      const text = await c.requestLogs(instanceId, { tail: 100 });
      expect(text).toContain(`instance ${instanceId}`);
      expect(text).toContain('container started');
      const err = await rejection(c.requestLogs(999));
      expect(err.code).toBe('NOT_FOUND');
      await c.destroyInstance(instanceId);
    } finally {
      sandbox.setFaults({ logsNotReadyPolls: 1 });
    }
  });

  it('gives up on logs that never appear, with a clear message', async () => {
    sandbox.setFaults({ logsNotReadyPolls: 1000 });
    try {
      const c = client({ logsPollTries: 3, logsPollIntervalMs: 5 });
      const { offers } = await c.searchOffers({});
      const { instanceId } = await c.createInstance(offers[0]!.id, {
        image: 'tstudio/demo:dev',
        mode: 'ssh',
      });
      const err = await rejection(c.requestLogs(instanceId));
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toMatch(/not ready/);
      await c.destroyInstance(instanceId);
    } finally {
      sandbox.setFaults({ logsNotReadyPolls: 1 });
    }
  });

  it('manages account SSH keys and instance keys', async () => {
    const c = client();
    const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTheSandboxOnly0000000000000000 me@laptop';
    const added = await c.addSshKey(pub);
    expect(added.publicKey).toBe(pub);
    expect((await c.listSshKeys()).map((k) => k.id)).toContain(added.id);
    const updated = await c.updateSshKey(added.id, `${pub}-2`);
    expect(updated.publicKey).toBe(`${pub}-2`);

    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, { image: 'tstudio/demo:dev', mode: 'ssh' });
    await c.waitUntilRunning(instanceId);
    await c.attachSshKey(instanceId, pub);
    const onInstance = await c.listInstanceSshKeys(instanceId);
    expect(onInstance.map((k) => k.publicKey)).toEqual([pub]);
    await c.detachSshKey(instanceId, onInstance[0]!.id);
    expect(await c.listInstanceSshKeys(instanceId)).toEqual([]);
    expect((await rejection(c.detachSshKey(instanceId, 1))).code).toBe('NOT_FOUND');

    await c.deleteSshKey(added.id);
    expect((await c.listSshKeys()).map((k) => k.id)).not.toContain(added.id);
    await c.destroyInstance(instanceId);
  });

  it('creates, searches, edits (new hash, same id) and deletes templates', async () => {
    const c = client();
    const body = {
      name: 'tstudio test template',
      image: 'tstudio/demo',
      tag: 'dev',
      env: '-p 1111:1111 -e OPEN_BUTTON_PORT="1111"',
      onstart: 'entrypoint.sh',
      runtype: 'ssh' as const,
      use_ssh: true,
      ssh_direct: true,
      jup_direct: false,
      extra_filters: { compute_cap: { gte: 750 } },
      recommended_disk_space: 16,
      private: true,
    };
    const created = await c.createTemplate(body);
    const found = await c.searchTemplates({ hash_id: { eq: created.hashId } });
    expect(found).toHaveLength(1);
    expect(typeof found[0]!.extra_filters).toBe('string');
    expect(JSON.parse(found[0]!.extra_filters as string)).toEqual({ compute_cap: { gte: 750 } });
    expect((await c.searchTemplates()).some((t) => t.creator_id !== found[0]!.creator_id)).toBe(true);

    const edited = await c.editTemplate(created.hashId, { ...body, tag: 'v2' });
    expect(edited.id).toBe(created.id);
    expect(edited.hashId).not.toBe(created.hashId);
    expect(await c.searchTemplates({ hash_id: { eq: created.hashId } })).toEqual([]);
    expect((await c.searchTemplates({ id: { eq: created.id } }))[0]?.tag).toBe('v2');

    // Launch from the template: the template's image and env are used.
    const { offers } = await c.searchOffers({});
    const { instanceId } = await c.createInstance(offers[0]!.id, {
      image: 'tstudio/demo:v2',
      mode: 'ssh',
      templateHashId: edited.hashId,
    });
    expect((await c.getInstance(instanceId)).template_hash_id).toBe(edited.hashId);
    await c.destroyInstance(instanceId);

    await c.deleteTemplate({ id: created.id });
    expect(await c.searchTemplates({ id: { eq: created.id } })).toEqual([]);
    expect((await rejection(c.deleteTemplate({ id: created.id }))).code).toBe('NOT_FOUND');
  });
});

async function pollUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
}
