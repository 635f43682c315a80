/**
 * The whole app (createApp) with no Vast key, so its default account is the bundled sandbox whose
 * instances are real containers of the demo image with a real sshd, reached with the app's own key.
 * A test launches the demo template through the same calls the UI makes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { App } from '../../../src/main/app';
import { call, testApp } from '../../security/helpers/test-app';
import { DEMO_TEMPLATE_DIR, REPO_ROOT } from './demo-image';

export interface SandboxApp {
  app: App;
  docker: Docker;
  tmp: string;
  /** Launches the demo template in ssh mode on the cheapest offer; resolves once it runs. */
  launchDemo(): Promise<number>;
  /** The container behind a sandbox instance. */
  containerOf(instanceId: number): Promise<Docker.ContainerInfo>;
  /** `docker exec <container> argv`, stdout only, as a user would run it by hand. */
  dockerExec(containerId: string, argv: string[]): string;
  cleanup(): Promise<void>;
}

export async function sandboxApp(): Promise<SandboxApp> {
  const tmp = await mkdtemp(join(tmpdir(), 'tstudio-it-instance-'));
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const app = testApp(tmp, '/var/run/docker.sock', { resourcesDir: join(REPO_ROOT, 'resources') });
  const launched: number[] = [];

  const containerOf = async (instanceId: number) => {
    const [c] = await docker.listContainers({
      all: true,
      filters: {
        label: [`tstudio.sandbox.instance=${instanceId}`, `tstudio.sandbox.pid=${process.pid}`],
      },
    });
    if (!c) throw new Error(`no container for sandbox instance ${instanceId}`);
    return c;
  };

  return {
    app,
    docker,
    tmp,
    containerOf,
    async launchDemo() {
      const { offers } = await call(app, 'vast:offers', { filters: {}, templatePath: DEMO_TEMPLATE_DIR });
      const offer = offers[0];
      if (!offer) throw new Error('the sandbox offered no machine for the demo template');
      const { opId } = await call(app, 'vast:launch', {
        templatePath: DEMO_TEMPLATE_DIR,
        offerId: offer.id,
        mode: 'ssh',
        label: 'tstudio:it-instance-inspect',
      });
      const done = await app.operations.settled(opId);
      if (done.state !== 'succeeded') throw new Error(`launch ${done.state}: ${done.error?.message}`);
      const id = (done.result as { id: number }).id;
      launched.push(id);
      return id;
    },
    dockerExec(containerId, argv) {
      const r = spawnSync('docker', ['exec', containerId, ...argv], { encoding: 'utf8' });
      return r.stdout;
    },
    async cleanup() {
      for (const id of launched) {
        await call(app, 'vast:destroy', { id, confirm: String(id) }).catch(() => undefined);
      }
      // Whatever destroy left (a test that failed midway): the containers of these instances.
      for (const id of launched) {
        const c = await containerOf(id).catch(() => null);
        if (c) await docker.getContainer(c.Id).remove({ force: true, v: true });
      }
      await app.dispose();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
