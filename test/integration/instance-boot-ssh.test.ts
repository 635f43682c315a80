import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceEndpoints } from '../../src/main/instance-endpoints';
import { MonitorService } from '../../src/main/services/monitor';
import { SshService } from '../../src/main/services/ssh/index';
import { launchSpecFromTemplate, loadTemplateSource, VastClient } from '../../src/main/services/vast/index';
import { DEMO_TEMPLATE_DIR, waitFor } from './helpers/demo-image';
import { sandboxInstancesHarness, type SandboxInstancesHarness } from './helpers/sandbox-instances';

// A sandbox instance is a real container of the demo template with a real sshd, reached with the
// app's key through the same endpoint cache the app uses: its boot read over SSH (the cloud path)
// must tell what reading it from its container (docker inspect, logs, exec) tells.
let h: SandboxInstancesHarness;
let ssh: SshService;
let client: VastClient;
let endpoints: InstanceEndpoints;
let monitor: MonitorService;

beforeAll(async () => {
  h = await sandboxInstancesHarness({
    name: 'boot-ssh',
    runs: async (dataDir, labels) => {
      ssh = new SshService({ dataDir, env: {} });
      return { dataDir, appKey: () => ssh.keys.get(), labels };
    },
  });
  const connection = async () => h.connection;
  client = h.client();
  endpoints = new InstanceEndpoints(connection);
  monitor = new MonitorService({
    connection,
    dataDir: h.dataDir,
    docker: h.docker,
    emit: () => undefined,
    intervalMs: 1000,
    instanceSsh: { endpoints, ssh },
  });
}, 180_000);

afterAll(async () => {
  monitor?.stop();
  await ssh?.dispose();
  await h?.cleanup();
});

describe("boot progress of a Vast instance over SSH (the sandbox's, its container skipped)", () => {
  it('reads the same steps and outcome over SSH as from the container; a stopped instance answers from the API', async () => {
    const { offers } = await client.searchOffers({ gpuName: 'RTX 4090', order: 'dph_total' });
    const spec = launchSpecFromTemplate(loadTemplateSource(DEMO_TEMPLATE_DIR), {
      mode: 'ssh-direct',
      label: 'boot-ssh',
    });
    const { instanceId } = await client.createInstance(offers[0]!.id, { ...spec, image: h.image });
    const target = `instance:${instanceId}`;

    const overSsh = await waitFor(
      'the instance booted, read over SSH',
      async () => {
        const b = await monitor.instanceBootOverSsh(instanceId).catch(() => null);
        return b && b.outcome !== 'booting' ? b : undefined;
      },
      150_000,
    );
    // The connection is held between reads (the view reads every second while it boots): no new handshake.
    const { target: sshTarget } = await endpoints.resolve(instanceId);
    const held = ssh.pool.peek(sshTarget);
    expect(held).not.toBeNull();
    expect((await monitor.instanceBootOverSsh(instanceId)).outcome).toBe('ready');
    expect(ssh.pool.peek(sshTarget)).toBe(held);
    // The container path (the sandbox shortcut bootProgress takes) for the same instance.
    const fromContainer = await monitor.bootProgress(target);
    expect(overSsh.target).toBe(target);
    expect(overSsh.outcome).toBe('ready');
    expect(fromContainer.outcome).toBe('ready');
    const view = (b: typeof overSsh) => b.steps.map((s) => ({ id: s.id, state: s.state }));
    expect(view(overSsh)).toEqual(view(fromContainer));
    expect(overSsh.steps.every((s) => s.state === 'done')).toBe(true);
    expect(overSsh.provisioningLog).toContain('Provisioning complete');
    expect(overSsh.provisioningLog).toBe(fromContainer.provisioningLog);
    // The stages come from /var/log/onstart.log alone over SSH; the container's output adds none here.
    expect(overSsh.stages.length).toBeGreaterThan(0);
    expect(overSsh.stages).toEqual(fromContainer.stages);
    // PROVISIONING_SCRIPT from the instance's env (API) names the same script as the container's env.
    const detailOf = (b: typeof overSsh) => b.steps.find((s) => s.id === 'provisioning')!.detail;
    expect(detailOf(overSsh)).not.toBe('not set');
    expect(detailOf(overSsh)).toBe(detailOf(fromContainer));
    // Started: from the instance's start_date, which the sandbox sets when it starts the container.
    const instance = await client.getInstance(instanceId);
    expect(overSsh.steps[0]!.at).toBe(Math.round(instance.start_date! * 1000));

    await client.stopInstance(instanceId);
    await waitFor(
      'the instance stopped',
      async () => (await client.getInstance(instanceId)).actual_status === 'stopped',
      60_000,
    );
    // The endpoint cache still holds the running endpoint: SSH fails and it is forgotten; then
    // the API's status is the answer. Neither throws.
    const stopped = await waitFor(
      'the stopped instance told from the API',
      async () => {
        const b = await monitor.instanceBootOverSsh(instanceId);
        return b.steps[0]!.detail?.startsWith('Vast: stopped') ? b : undefined;
      },
      60_000,
    );
    expect(stopped.outcome).toBe('stopped');
    expect(stopped.provisioningLog).toBe('');
    await client.destroyInstance(instanceId);
  }, 300_000);
});
