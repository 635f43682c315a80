import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import {
  ContainerBackend,
  launchSpecFromTemplate,
  loadTemplateSource,
  VastClient,
  VastSandbox,
} from '../../src/main/services/vast/index';
import { MonitorService } from '../../src/main/services/monitor';
import { DEMO_TEMPLATE_DIR, makeTestKey, TEST_LABELS, waitFor, type TestKey } from './helpers/demo-image';

// A sandbox instance is a real container of the demo template: its boot is read like a run's.
const HARNESS = randomBytes(6).toString('hex');
const LABELS = { ...TEST_LABELS, 'tstudio.test.harness': HARNESS };
const IMAGE = `tstudio-test/demo:boot-${HARNESS}`;
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let key: TestKey;
let dataDir: string;
let sandbox: VastSandbox;
let client: VastClient;
let monitor: MonitorService;

beforeAll(async () => {
  key = await makeTestKey();
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-it-boot-'));
  const backend = new ContainerBackend({
    docker,
    runs: { dataDir, sshPublicKey: key.publicKey, identityFile: key.identityFile, labels: LABELS },
    buildable: { [IMAGE]: DEMO_TEMPLATE_DIR },
    readyTimeoutMs: 60_000,
  });
  sandbox = new VastSandbox({ backend, timings: { provisionMs: 50, loadingMs: 100, transitionMs: 50 } });
  const baseUrl = await sandbox.start();
  client = new VastClient({ apiKey: sandbox.apiKey, baseUrl, pollIntervalMs: 200, backoffMs: 5 });
  monitor = new MonitorService({
    connection: async () => ({ apiKey: sandbox.apiKey, baseUrl, sandbox: true, hasKey: false }),
    dataDir,
    docker,
    emit: () => undefined,
    intervalMs: 1000,
  });
}, 180_000);

afterAll(async () => {
  monitor?.stop();
  await sandbox?.close();
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`tstudio.test.harness=${HARNESS}`] },
  });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  await docker
    .getImage(IMAGE)
    .remove({ force: true })
    .catch(() => undefined);
  if (key) await rm(key.dir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('boot progress of a sandbox instance', () => {
  it("reads the instance's boot from its container to ready; an instance without one says where to look", async () => {
    const { offers } = await client.searchOffers({ gpuName: 'RTX 4090', order: 'dph_total' });
    const spec = launchSpecFromTemplate(loadTemplateSource(DEMO_TEMPLATE_DIR), {
      mode: 'ssh-direct',
      label: 'boot',
    });
    const { instanceId } = await client.createInstance(offers[0]!.id, { ...spec, image: IMAGE });
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
