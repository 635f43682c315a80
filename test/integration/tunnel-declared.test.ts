// One click opens a tunnel per port a local run of the demo template declares, and the Open URL of
// its portal app carries the run's OPEN_BUTTON_TOKEN: real engine, real demo image, real sshd.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/main/app';
import type { CallOutput } from '../../src/shared/contract';
import { call, testApp, waitFor } from '../security/helpers/test-app';
import { DEMO_TEMPLATE_DIR } from './helpers/demo-image';

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
let tmp: string;
let app: App;
let runId: string;
let containerId: string;
let openButtonToken: string;
let declared: CallOutput<'tunnels:openDeclared'>;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tstudio-tunnel-declared-'));
  app = testApp(tmp, '/var/run/docker.sock');
  // The demo template as shipped (image tstudio/demo:dev), in ssh mode, as the Runs view starts it.
  const ready = await app.runs.start({
    source: DEMO_TEMPLATE_DIR,
    mode: 'ssh',
    build: 'if-missing',
    workspace: null,
    readyTimeoutMs: 120_000,
  });
  runId = ready.run.id;
  containerId = ready.run.containerId;
  const env = (await docker.getContainer(containerId).inspect()).Config.Env ?? [];
  openButtonToken =
    env.find((e) => e.startsWith('OPEN_BUTTON_TOKEN='))?.slice('OPEN_BUTTON_TOKEN='.length) ?? '';
});

afterAll(async () => {
  await app?.dispose();
  if (containerId)
    await docker
      .getContainer(containerId)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  await rm(tmp, { recursive: true, force: true });
});

describe('declared tunnels of a local run', () => {
  it('opens one tunnel per declared port, the portal app on its internal port and named', async () => {
    declared = await call(app, 'tunnels:openDeclared', { target: runId });
    const web = declared.tunnels.find((t) => t.app?.name === 'Demo Web App');
    expect(web).toMatchObject({ remotePort: 18000, state: 'up', targetRef: runId, app: { openPath: '/' } });
    // 8000 is the portal's external port for the same app: covered, not tunnelled twice. 22 is SSH.
    expect(declared.tunnels.map((t) => t.remotePort)).not.toContain(8000);
    expect(declared.tunnels.map((t) => t.remotePort)).not.toContain(22);
    expect(declared.tunnels.map((t) => t.remotePort)).toContain(8080);
    expect(declared.warning).toBeNull();
  });

  it('skips ports already tunnelled when asked again', async () => {
    const again = await call(app, 'tunnels:openDeclared', { target: runId });
    expect(again.tunnels.map((t) => t.id).sort()).toEqual(declared.tunnels.map((t) => t.id).sort());
    expect(await call(app, 'tunnels:list', {})).toHaveLength(declared.tunnels.length);
  });

  it("gives the app's Open URL with the run's OPEN_BUTTON_TOKEN, and it answers through the tunnel", async () => {
    expect(openButtonToken.length).toBeGreaterThanOrEqual(16);
    const web = declared.tunnels.find((t) => t.app?.name === 'Demo Web App');
    const { url } = await call(app, 'tunnels:openUrl', { id: web?.id ?? '' });
    const parsed = new URL(url);
    expect(parsed.host).toBe(`127.0.0.1:${web?.localPort}`);
    expect(parsed.searchParams.get('token')).toBe(openButtonToken);
    const page = await waitFor('the demo web app to answer through the tunnel', async () => {
      const response = await fetch(url);
      return response.ok ? response.text() : null;
    });
    expect(page).toMatch(/<html/i);
  });

  it('never puts the token in what every view receives (list and state events)', async () => {
    const events: unknown[] = [];
    const stop = app.bus.subscribe((e) => {
      if (e.name === 'tunnel:stateChanged') events.push(e.payload);
    });
    const plain = declared.tunnels.find((t) => t.app === null);
    await call(app, 'tunnels:close', { id: plain?.id ?? '' });
    stop();
    const seen = JSON.stringify([await call(app, 'tunnels:list', {}), events, declared]);
    expect(seen).toContain('Demo Web App');
    expect(seen).not.toContain(openButtonToken);
  });

  it('refuses declared ports for a bare address, which declares none', async () => {
    await expect(call(app, 'tunnels:openDeclared', { target: 'root@127.0.0.1:2222' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});
