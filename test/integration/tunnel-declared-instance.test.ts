// Declared tunnels of a Vast instance: the sandbox's instance is a real container of the demo image
// with a real sshd; its env (extra_env) and ports come from the Vast API, as on the real cloud.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunService } from '../../src/main/services/launch';
import { SshService } from '../../src/main/services/ssh';
import { TunnelsService, createTargetDetailsReader } from '../../src/main/services/tunnels';
import {
  ContainerBackend,
  VastClient,
  VastSandbox,
  extraEnvObject,
  launchSpecFromTemplate,
  loadTemplateSource,
} from '../../src/main/services/vast';
import { createTargetResolver } from '../../src/main/target-resolver';
import { resolveTargetRef } from '../../src/main/handlers/ssh';
import { DEMO_TEMPLATE_DIR, TEST_LABELS, waitFor } from './helpers/demo-image';

const HARNESS = randomBytes(6).toString('hex');
const LABELS = { ...TEST_LABELS, 'tstudio.test.harness': HARNESS };
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let dataDir: string;
let ssh: SshService;
let sandbox: VastSandbox;
let client: VastClient;
let tunnels: TunnelsService;
let instanceId: number;
let openButtonToken: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-tunnel-instance-'));
  ssh = new SshService({ dataDir, env: {} });
  const key = await ssh.keys.get();
  const runOptions = {
    dataDir,
    sshPublicKey: key.publicKey,
    identityFile: key.privateKeyPath,
    labels: LABELS,
  };
  sandbox = new VastSandbox({
    backend: new ContainerBackend({
      docker,
      runs: runOptions,
      buildable: { 'tstudio/demo:dev': DEMO_TEMPLATE_DIR },
      readyTimeoutMs: 90_000,
    }),
    timings: { provisionMs: 50, loadingMs: 100, transitionMs: 50 },
  });
  const connection = { apiKey: sandbox.apiKey, baseUrl: await sandbox.start(), sandbox: true, hasKey: false };
  client = new VastClient({ apiKey: connection.apiKey, baseUrl: connection.baseUrl, pollIntervalMs: 200 });
  // The app's own LocalRunService: the instance's container is not one of its runs by id.
  const runs = new LocalRunService(docker, runOptions);
  const resolveTarget = createTargetResolver({ runs, vast: async () => connection });
  tunnels = new TunnelsService({
    ssh,
    resolveTarget: (ref) => resolveTargetRef(ref, resolveTarget),
    targetDetails: createTargetDetailsReader({ runs, docker, vast: async () => connection }),
  });

  const { offers } = await client.searchOffers({ gpuName: 'RTX 4090', order: 'dph_total' });
  const spec = launchSpecFromTemplate(loadTemplateSource(DEMO_TEMPLATE_DIR), {
    mode: 'ssh-direct',
    label: 'tstudio:it',
  });
  ({ instanceId } = await client.createInstance(offers[0]!.id, spec));
  const running = await client.waitUntilRunning(instanceId, { timeoutMs: 120_000 });
  openButtonToken = extraEnvObject(running.extra_env).OPEN_BUTTON_TOKEN ?? '';
});

afterAll(async () => {
  await ssh?.dispose();
  await sandbox?.close();
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`tstudio.test.harness=${HARNESS}`] },
  });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
  await rm(dataDir, { recursive: true, force: true });
});

describe('declared tunnels of a Vast (sandbox) instance', () => {
  it('reads PORTAL_CONFIG and ports from the instance and opens the app with its OPEN_BUTTON_TOKEN', async () => {
    const { tunnels: opened } = await tunnels.openDeclared(String(instanceId));
    const web = opened.find((t) => t.app?.name === 'Demo Web App');
    expect(web).toMatchObject({ remotePort: 18000, state: 'up', targetRef: String(instanceId) });
    expect(opened.map((t) => t.remotePort)).not.toContain(8000);

    expect(openButtonToken).not.toBe('');
    const url = await tunnels.openUrl(web!.id);
    expect(new URL(url).searchParams.get('token')).toBe(openButtonToken);
    const page = await waitFor('the demo web app through the instance tunnel', async () => {
      const response = await fetch(url).catch(() => null);
      return response?.ok ? response.text() : undefined;
    });
    expect(page).toContain('Demo Web App');
  });
});
