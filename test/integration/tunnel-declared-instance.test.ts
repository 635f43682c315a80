// Declared tunnels of a Vast instance: the sandbox's instance is a real container of the demo image
// with a real sshd; its env (extra_env) and ports come from the Vast API, as on the real cloud.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunService, type LocalRunServiceOptions } from '../../src/main/services/launch';
import { SshService } from '../../src/main/services/ssh';
import { TunnelsService, createTargetDetailsReader } from '../../src/main/services/tunnels';
import { extraEnvObject, launchSpecFromTemplate, loadTemplateSource } from '../../src/main/services/vast';
import { createTargetResolver } from '../../src/main/target-resolver';
import { resolveTargetRef } from '../../src/main/handlers/ssh';
import { DEMO_TEMPLATE_DIR, waitFor } from './helpers/demo-image';
import { sandboxInstancesHarness, type SandboxInstancesHarness } from './helpers/sandbox-instances';

let h: SandboxInstancesHarness;
let ssh: SshService;
let tunnels: TunnelsService;
let instanceId: number;
let openButtonToken: string;

beforeAll(async () => {
  let runOptions: LocalRunServiceOptions | undefined;
  h = await sandboxInstancesHarness({
    name: 'tunnel-instance',
    // The image the template names, as the app would launch it (built once if the engine lacks it).
    image: 'tstudio/demo:dev',
    readyTimeoutMs: 90_000,
    runs: async (dataDir, labels) => {
      ssh = new SshService({ dataDir, env: {} });
      const key = await ssh.keys.get();
      runOptions = { dataDir, sshPublicKey: key.publicKey, identityFile: key.privateKeyPath, labels };
      return runOptions;
    },
  });
  const connection = h.connection;
  const client = h.client();
  // The app's own LocalRunService: the instance's container is not one of its runs by id.
  const runs = new LocalRunService(h.docker, runOptions!);
  const resolveTarget = createTargetResolver({ runs, vast: async () => connection });
  tunnels = new TunnelsService({
    ssh,
    resolveTarget: (ref) => resolveTargetRef(ref, resolveTarget),
    targetDetails: createTargetDetailsReader({ runs, docker: h.docker, vast: async () => connection }),
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
  await h?.cleanup();
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
