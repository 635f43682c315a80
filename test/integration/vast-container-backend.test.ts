import { spawnSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import {
  ContainerBackend,
  launchSpecFromTemplate,
  loadTemplateSource,
  SANDBOX_CONTAINER_LABELS,
  sshEndpoint,
  VastClient,
  VastSandbox,
  type VastInstanceData,
} from '../../src/main/services/vast/index';
import { runSandbox } from '../../src/main/cli/commands/sandbox';
import { DEMO_TEMPLATE_DIR, makeTestKey, waitFor, type TestKey } from './helpers/demo-image';
import {
  runsWithTestKey,
  sandboxInstancesHarness,
  type SandboxInstancesHarness,
} from './helpers/sandbox-instances';

// The sandbox with real containers: each instance is a local run of a real image with a real sshd.
// The image is one the engine lacks: the backend "pulls" it by building the demo template folder.
let h: SandboxInstancesHarness;
let key: TestKey;
let extraKey: TestKey;
let client: VastClient;

beforeAll(async () => {
  key = await makeTestKey();
  extraKey = await makeTestKey();
  h = await sandboxInstancesHarness({
    name: 'sandbox',
    runs: runsWithTestKey(key),
  });
  client = h.client({ logsPollIntervalMs: 50 });
});

afterAll(async () => {
  await h?.cleanup();
  await Promise.all([key, extraKey].map((k) => k && rm(k.dir, { recursive: true, force: true })));
});

function containersOf(instanceId: number): Promise<Docker.ContainerInfo[]> {
  return h.docker.listContainers({
    all: true,
    filters: {
      label: [`${SANDBOX_CONTAINER_LABELS.instance}=${instanceId}`, `tstudio.test.harness=${h.harness}`],
    },
  });
}

/** Runs a command over SSH as root; sshd may need a moment after a start, so callers retry. */
async function sshRun(host: string, port: number, identityFile: string, command: string): Promise<string> {
  const privateKey = await readFile(identityFile);
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    const timer = setTimeout(() => {
      conn.end();
      reject(new Error('ssh timed out'));
    }, 10_000);
    conn
      .on('ready', () => {
        conn.exec(command, (err, stream) => {
          if (err) return reject(err);
          let out = '';
          stream.on('data', (d: Buffer) => (out += d.toString()));
          stream.stderr.on('data', () => undefined);
          stream.on('close', () => {
            clearTimeout(timer);
            conn.end();
            resolve(out);
          });
        });
      })
      .on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      })
      .connect({ host, port, username: 'root', privateKey, readyTimeout: 8000 });
  });
}

async function launchDemo(
  mode: 'ssh-direct' | 'jupyter',
  options: { proxyOnly?: boolean } = {},
): Promise<number> {
  const { offers } = await client.searchOffers({ gpuName: 'RTX 4090', order: 'dph_total' });
  const spec = launchSpecFromTemplate(loadTemplateSource(DEMO_TEMPLATE_DIR), { mode, label: 'tstudio:it' });
  // The demo template asks for 22 and 8080 itself, which lists them as direct ports.
  const ports = options.proxyOnly ? (spec.ports ?? []).filter((p) => !/^(22|8080)(:|$)/.test(p)) : spec.ports;
  const { instanceId } = await client.createInstance(offers[0]!.id, { ...spec, ports, image: h.image });
  return instanceId;
}

function hostPort(instance: VastInstanceData, key: string): number {
  return Number(instance.ports?.[key]?.[0]?.HostPort);
}

describe('sandbox instances as real containers', () => {
  it('launches the demo template over the client, reaches it over SSH, stops, starts and destroys it', async () => {
    const instanceId = await launchDemo('ssh-direct');
    const running = await client.waitUntilRunning(instanceId, { timeoutMs: 90_000 });

    expect(running.public_ipaddr).toBe('127.0.0.1');
    expect(running.ssh_host).toBe('127.0.0.1');
    for (const port of ['22/tcp', '8000/tcp', '8080/tcp']) {
      expect(typeof running.ports?.[port]?.[0]?.HostPort).toBe('string');
    }
    expect(running.ssh_port).toBe(hostPort(running, '22/tcp'));
    const [container] = await containersOf(instanceId);
    expect(container?.State).toBe('running');
    expect(container?.Labels['tstudio.sandbox']).toBe('1');
    // Only on 127.0.0.1.
    expect(container?.Ports.every((p) => p.IP === undefined || p.IP === '127.0.0.1')).toBe(true);

    const ssh = sshEndpoint(running)!;
    expect(ssh.kind).toBe('direct');
    const out = await waitFor('an SSH command on the instance', () =>
      sshRun(
        ssh.host,
        ssh.port,
        key.identityFile,
        'echo "id=$CONTAINER_ID label=$VAST_CONTAINERLABEL p8000=$VAST_TCP_PORT_8000 token=$JUPYTER_TOKEN"; head -2 /root/onstart.sh; cat /.launch',
      ),
    );
    // Vast's variables are the sandbox instance's, and VAST_TCP_PORT_* match the ports it lists.
    expect(out).toContain(`id=${instanceId} label=C.${instanceId}`);
    expect(out).toContain(`p8000=${hostPort(running, '8000/tcp')}`);
    expect(out).toContain(`token=${running.jupyter_token}`);
    // The launch's onstart (the demo's entrypoint.sh) is what /root/onstart.sh runs, in ssh mode.
    expect(out).toContain('entrypoint.sh');
    expect(out).toContain('ssh mode');

    // A key attached through the API works on the running container.
    await client.attachSshKey(instanceId, extraKey.publicKey);
    await expect(sshRun(ssh.host, ssh.port, extraKey.identityFile, 'echo extra-key-ok')).resolves.toContain(
      'extra-key-ok',
    );

    // The request_logs flow carries the container's own output.
    const logs = await client.requestLogs(instanceId, { tail: 200 });
    expect(logs).toContain('[tstudio-launch] sshd listening on 22');

    await client.stopInstance(instanceId);
    const stopped = await waitFor('the instance to stop', async () => {
      const i = await client.getInstance(instanceId);
      return i.actual_status === 'stopped' ? i : undefined;
    });
    expect(stopped.ports).toBeNull();
    expect(sshEndpoint(stopped)?.kind).not.toBe('direct');
    expect((await containersOf(instanceId))[0]?.State).toBe('exited');

    await client.startInstance(instanceId);
    const again = await client.waitUntilRunning(instanceId, { timeoutMs: 60_000 });
    // The host ports were fixed at creation, so they survive the restart; the extra key too.
    expect(hostPort(again, '22/tcp')).toBe(hostPort(running, '22/tcp'));
    await expect(
      waitFor('SSH after the restart', () =>
        sshRun('127.0.0.1', ssh.port, extraKey.identityFile, 'echo back'),
      ),
    ).resolves.toContain('back');

    await client.destroyInstance(instanceId);
    await waitFor('the container to be removed', async () =>
      (await containersOf(instanceId)).length === 0 ? true : undefined,
    );
    await expect(client.getInstance(instanceId)).rejects.toBeInstanceOf(AppError);
  }, 120_000);

  it('a jupyter instance lists its proxy SSH port one below the real one, as Vast does', async () => {
    const instanceId = await launchDemo('jupyter', { proxyOnly: true });
    const running = await client.waitUntilRunning(instanceId, { timeoutMs: 90_000 });
    // Proxy only: neither 22 nor 8080 is listed, and the client's +1 lands on the container's sshd.
    expect(running.ports?.['22/tcp']).toBeUndefined();
    expect(running.image_runtype).toContain('jupyter');
    const ssh = sshEndpoint(running)!;
    expect(ssh.kind).toBe('proxy');
    expect(ssh.port).toBe(Number(running.ssh_port) + 1);
    const out = await waitFor('SSH through the proxy endpoint', () =>
      sshRun(ssh.host, ssh.port, key.identityFile, 'cat /.launch'),
    );
    expect(out).toContain('jupyter mode');
    await client.destroyInstance(instanceId);
    await waitFor('the container to be removed', async () =>
      (await containersOf(instanceId)).length === 0 ? true : undefined,
    );
  }, 120_000);

  it('an image the engine lacks ends the instance exited with a daemon-style pull error', async () => {
    const { offers } = await client.searchOffers({ gpuName: 'RTX 4090' });
    const { instanceId } = await client.createInstance(offers[0]!.id, {
      image: `tstudio-test/not-there:${h.harness}`,
      mode: 'ssh',
      label: 'tstudio:it',
    });
    const started = Date.now();
    const err = await client.waitUntilRunning(instanceId, { timeoutMs: 30_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/pull access denied for tstudio-test\/not-there/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const instance = await client.getInstance(instanceId);
    expect(instance.actual_status).toBe('exited');
    expect(instance.status_msg).toMatch(/^Error response from daemon: pull access denied/);
    expect(await containersOf(instanceId)).toEqual([]);
    await client.destroyInstance(instanceId);
  });
});

describe('orphans', () => {
  it('removes sandbox containers whose process is gone, and leaves live ones alone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const make = (pid: number) =>
      h.docker.createContainer({
        Image: 'tstudio/base:bookworm',
        Cmd: ['true'],
        Labels: {
          ...h.labels,
          [SANDBOX_CONTAINER_LABELS.sandbox]: '1',
          [SANDBOX_CONTAINER_LABELS.host]: hostname(),
          [SANDBOX_CONTAINER_LABELS.pid]: String(pid),
        },
      });
    const orphan = await make(gone);
    const live = await make(process.pid);
    const backend = new ContainerBackend({
      docker: h.docker,
      runs: { dataDir: h.dataDir, labels: h.labels },
    });
    const reaped = await backend.reapOrphans();
    expect(reaped).toContain(orphan.id);
    expect(reaped).not.toContain(live.id);
    await expect(orphan.inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await live.inspect()).Id).toBe(live.id);
    await live.remove({ force: true });
  });
});

describe('tstudio sandbox --containers', () => {
  it('serves with the container backend and says so', async () => {
    let out = '';
    const ac = new AbortController();
    let served: VastSandbox | null = null;
    const done = runSandbox(
      { containers: true },
      { stdout: (t) => (out += t), stderr: (t) => (out += t), signal: ac.signal },
      { onListening: (s) => (served = s) },
    );
    await waitFor('the sandbox to listen', async () => served ?? undefined, 5000, 10);
    expect((served as unknown as VastSandbox).backendKind).toBe('docker');
    expect(out).toContain('(instances: docker)');
    ac.abort();
    expect(await done).toBe(0);
  });
});
