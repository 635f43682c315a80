import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { launchSpecFromTemplate, loadTemplateSource, VastClient } from '../../src/main/services/vast/index';
import { MonitorService } from '../../src/main/services/monitor';
import { DEMO_TEMPLATE_DIR, makeTestKey, waitFor, type TestKey } from './helpers/demo-image';
import {
  runsWithTestKey,
  sandboxInstancesHarness,
  type SandboxInstancesHarness,
} from './helpers/sandbox-instances';

// A sandbox instance is a real container of the demo template: its boot is read like a run's.
let h: SandboxInstancesHarness;
let key: TestKey;
let client: VastClient;
let monitor: MonitorService;

beforeAll(async () => {
  key = await makeTestKey();
  h = await sandboxInstancesHarness({
    name: 'boot',
    runs: runsWithTestKey(key),
  });
  client = h.client();
  monitor = new MonitorService({
    connection: async () => h.connection,
    dataDir: h.dataDir,
    docker: h.docker,
    emit: () => undefined,
    intervalMs: 1000,
  });
}, 180_000);

afterAll(async () => {
  monitor?.stop();
  await h?.cleanup();
  if (key) await rm(key.dir, { recursive: true, force: true });
});

describe('boot progress of a sandbox instance', () => {
  it("reads the instance's boot from its container to ready; an instance without one says where to look", async () => {
    const { offers } = await client.searchOffers({ gpuName: 'RTX 4090', order: 'dph_total' });
    const spec = launchSpecFromTemplate(loadTemplateSource(DEMO_TEMPLATE_DIR), {
      mode: 'ssh-direct',
      label: 'boot',
    });
    const { instanceId } = await client.createInstance(offers[0]!.id, { ...spec, image: h.image });
    const boot = await waitFor(
      'the instance booted',
      async () => {
        const b = await monitor.bootProgress(`instance:${instanceId}`).catch(() => null);
        return b && b.outcome !== 'booting' ? b : undefined;
      },
      150_000,
    );
    expect(boot.outcome).toBe('ready');
    expect(boot.target).toBe(`instance:${instanceId}`);
    expect(boot.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    expect(boot.provisioningLog).toContain('Provisioning complete');

    const err = await monitor.bootProgress('instance:999999999').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('NOT_FOUND');
    expect((err as AppError).message).toContain('/var/log/onstart.log');
  }, 200_000);
});
