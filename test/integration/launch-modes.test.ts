import { createServer, type Server } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecTransport } from '../../src/main/services/supervisor';
import { buildImageFromFolder, LocalRunService, pickFreePort } from '../../src/main/services/launch';
import { runRun } from '../../src/main/cli/commands/run';
import { runStatus } from '../../src/main/cli/commands/status';
import { runRm } from '../../src/main/cli/commands/rm';
import { DEMO_TEMPLATE_DIR, TEST_LABELS, demoHarness, waitFor, type DemoHarness } from './helpers/demo-image';

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function collector() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) },
  };
}

describe('local runs in jupyter and args modes, pre-checks and the CLI', () => {
  let h: DemoHarness;
  const extraImages: string[] = [];

  beforeAll(async () => {
    h = await demoHarness();
  });
  afterAll(async () => {
    for (const image of extraImages)
      await h.docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
    await h?.cleanup();
  });

  it('jupyter mode: Jupyter answers on 8080 with the token, and /.launch says jupyter', async () => {
    const ready = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'jupyter',
      buildTag: h.image,
      readyTimeoutMs: 90_000,
    });
    const id = ready.run.containerId;
    const port = ready.run.ports['8080/tcp']!;
    const env = (await h.docker.getContainer(id).inspect()).Config.Env;
    const token = env.find((e) => e.startsWith('JUPYTER_TOKEN='))!.slice('JUPYTER_TOKEN='.length);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await httpStatus(port, `/api/status?token=${token}`)).toBe(200);
    expect(await httpStatus(port, '/api/status')).toBe(403);
    const exec = new DockerExecTransport(h.docker, id);
    expect((await exec.exec(['cat', '/.launch'])).stdout).toContain('jupyter');
    // Jupyter mode keeps the Jupyter entries of PORTAL_CONFIG, and the image points them at 8080.
    const portal = (await exec.exec(['printenv', 'PORTAL_CONFIG'])).stdout;
    expect(portal).toContain('Jupyter');
    expect(ready.run.ssh?.port).toBe(ready.run.ports['22/tcp']);
    await h.runs.remove(id);
  });

  it("args mode: the image's own ENTRYPOINT runs with the args, and there is no /.launch", async () => {
    const ready = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'args',
      args: ['--hello-from-args'],
      buildTag: h.image,
      readyTimeoutMs: 90_000,
    });
    const id = ready.run.containerId;
    expect(ready.run.ssh).toBeNull();
    const inspected = await h.docker.getContainer(id).inspect();
    expect(inspected.Config.Entrypoint).toEqual(['/opt/instance-tools/bin/entrypoint.sh']);
    expect(inspected.Config.Cmd).toEqual(['--hello-from-args']);
    const exec = new DockerExecTransport(h.docker, id);
    expect((await exec.exec(['cat', '/proc/1/cmdline'])).stdout.split('\0')).toEqual(
      expect.arrayContaining(['/opt/instance-tools/bin/boot_default.sh', '--hello-from-args']),
    );
    expect((await exec.exec(['test', '-e', '/.launch'])).exitCode).toBe(1);
    const logs = await waitFor(
      'the boot to mention the flag',
      async () => {
        const text = await h.runs.logs(id);
        return text.includes('boot: ignoring unknown flag --hello-from-args') ? text : undefined;
      },
      20_000,
    );
    expect(logs).toContain('boot: 10-prep-env.sh');
    // Args mode strips Jupyter from PORTAL_CONFIG too.
    expect((await exec.exec(['printenv', 'PORTAL_CONFIG'])).stdout.trim()).toBe(
      'localhost:8000:18000:/:Demo Web App',
    );
    await h.runs.remove(id);
  });

  it('refuses ssh mode for an image without sshd, and leaves nothing behind', async () => {
    const tag = 'tstudio-test/no-sshd:it';
    extraImages.push(tag);
    await buildImageFromFolder(h.docker, await baseImageContext('RUN rm -f /usr/sbin/sshd'), tag, {
      labels: TEST_LABELS,
    });
    const before = await h.leftoverContainers();
    await expect(h.runs.start({ source: tag, mode: 'ssh' })).rejects.toMatchObject({
      code: 'TEMPLATE_INVALID',
      message: expect.stringMatching(/no sshd/),
    });
    expect(await h.leftoverContainers()).toEqual(before);
  });

  it('jupyter mode fails at once, with the fix, when the image has no jupyter or it ends; nothing is left behind', async () => {
    const missing = 'tstudio-test/no-jupyter:it';
    const broken = 'tstudio-test/broken-jupyter:it';
    extraImages.push(missing, broken);
    await buildImageFromFolder(h.docker, await baseImageContext('RUN rm -f /usr/bin/jupyter'), missing, {
      labels: TEST_LABELS,
    });
    await buildImageFromFolder(
      h.docker,
      await baseImageContext(
        `RUN printf '#!/bin/sh\\necho "ModuleNotFoundError: No module named notebook" >&2\\nexit 3\\n' > /usr/bin/jupyter && chmod 755 /usr/bin/jupyter`,
      ),
      broken,
      { labels: TEST_LABELS },
    );
    const before = await h.leftoverContainers();
    // A timeout far beyond the test's own: the run must end on the launch script's word, not on it.
    await expect(
      h.runs.start({ source: missing, mode: 'jupyter', readyTimeoutMs: 600_000 }),
    ).rejects.toMatchObject({
      code: 'TEMPLATE_INVALID',
      message: expect.stringMatching(/no jupyter on its PATH.*pip install notebook.*ssh mode/),
    });
    await expect(
      h.runs.start({ source: broken, mode: 'jupyter', readyTimeoutMs: 600_000 }),
    ).rejects.toMatchObject({
      code: 'TEMPLATE_INVALID',
      message: expect.stringMatching(
        /Jupyter ended .*status 3: ModuleNotFoundError: No module named notebook/,
      ),
    });
    expect(await h.leftoverContainers()).toEqual(before);
  });

  it('says when the image is missing, and when a pinned port is taken', async () => {
    await expect(
      h.runs.start({ source: 'tstudio-test/does-not-exist:nope', mode: 'ssh' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const port = await pickFreePort();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expect(
        h.runs.start({ source: h.image, mode: 'ssh', hostPorts: { '22/tcp': port } }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      server.close();
    }
  });

  it('chooses new ports when one it picked is taken before the container starts', async () => {
    const taken = await pickFreePort();
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(taken, '127.0.0.1', resolve));
    let calls = 0;
    const runs = new LocalRunService(h.docker, {
      dataDir: h.dataDir,
      sshPublicKey: h.key.publicKey,
      identityFile: h.key.identityFile,
      labels: TEST_LABELS,
      // The first port handed out is already in use, as if another program took it in between.
      pickFreePort: async (protocol) => (calls++ === 0 ? taken : pickFreePort(protocol)),
    });
    const log: string[] = [];
    try {
      const ready = await runs.start(
        { source: h.image, mode: 'ssh', readyTimeoutMs: 60_000 },
        { signal: new AbortController().signal, log: (t) => log.push(t), emit: () => undefined },
      );
      expect(log.join('')).toContain('choosing new ports');
      expect(ready.run.ports['22/tcp']).not.toBe(taken);
      await runs.remove(ready.run.id);
    } finally {
      server.close();
    }
  });

  it('cancels a start half way and leaves nothing behind', async () => {
    const controller = new AbortController();
    const steps: string[] = [];
    const before = await h.leftoverContainers();
    const start = h.runs.start(
      { source: DEMO_TEMPLATE_DIR, mode: 'ssh', buildTag: h.image },
      {
        signal: controller.signal,
        log: () => undefined,
        emit: (type, data) => {
          if (type !== 'step') return;
          steps.push((data as { step: string }).step);
          if (steps.at(-1) === 'wait') controller.abort();
        },
      },
    );
    await expect(start).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(steps).toContain('wait');
    expect(await h.leftoverContainers()).toEqual(before);
  });

  it('cleans up orphans: a stopped run of a smoke that was killed', async () => {
    const orphan = await h.runs.start({
      source: h.image,
      mode: 'ssh',
      ephemeral: true,
      readyTimeoutMs: 60_000,
    });
    const kept = await h.runs.start({ source: h.image, mode: 'ssh', readyTimeoutMs: 60_000 });
    await h.runs.stop(orphan.run.id);
    await h.runs.stop(kept.run.id);
    const removed = await h.runs.cleanupOrphans();
    expect(removed).toContain(orphan.run.id);
    expect(removed).not.toContain(kept.run.id);
    await expect(h.runs.get(orphan.run.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.runs.get(kept.run.id)).state).toBe('exited');
    await h.runs.resume(kept.run.id, { wait: true, timeoutMs: 60_000 });
    expect((await h.runs.get(kept.run.id)).state).toBe('running');
    await h.runs.remove(kept.run.id);
  });

  it("tstudio run without --mode follows the template's runtype; args mode passes the template's args_str", async () => {
    const { cp, mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'tstudio-args-template-'));
    await cp(DEMO_TEMPLATE_DIR, dir, { recursive: true });
    const file = join(dir, 'templates', 'default', 'template.yml');
    const [repo, tag] = h.image.split(':') as [string, string];
    const yml = (await readFile(file, 'utf8'))
      .replace(/^image: .*$/m, `image: ${repo}`)
      .replace(/^tag: .*$/m, `tag: "${tag}"`)
      .replace(/^runtype: ssh$/m, 'runtype: args');
    await writeFile(file, `${yml}args_str: --hello-from-template "two words"\n`);
    const ctx = { docker: h.docker, runs: h.runs };
    const run = collector();
    try {
      expect(await runRun({ source: dir, json: true, timeout: 90 }, run.io, ctx)).toBe(0);
      const result = JSON.parse(run.out.stdout) as { id: string; mode: string; ssh: unknown };
      expect(result).toMatchObject({ mode: 'args', ssh: null });
      expect(run.out.stderr).toContain("the template's args_str is passed to the ENTRYPOINT");
      const inspected = await h.docker.getContainer(result.id).inspect();
      expect(inspected.Config.Cmd).toEqual(['--hello-from-template', 'two words']);
      const exec = new DockerExecTransport(h.docker, result.id);
      expect((await exec.exec(['cat', '/proc/1/cmdline'])).stdout.split('\0')).toEqual(
        expect.arrayContaining(['--hello-from-template', 'two words']),
      );
      await h.runs.remove(result.id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("builds a template's image first when the engine lacks it, with progress, then runs it", async () => {
    const { cp, mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'tstudio-missing-image-'));
    await cp(DEMO_TEMPLATE_DIR, dir, { recursive: true });
    const tag = `missing-${process.pid}`;
    const ref = `tstudio-test/demo:${tag}`;
    extraImages.push(ref);
    const file = join(dir, 'templates', 'default', 'template.yml');
    const yml = (await readFile(file, 'utf8'))
      .replace(/^image: .*$/m, 'image: tstudio-test/demo')
      .replace(/^tag: .*$/m, `tag: "${tag}"`);
    await writeFile(file, yml);
    await expect(h.docker.getImage(ref).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const steps: unknown[] = [];
    let log = '';
    try {
      const ready = await h.runs.start(
        { source: dir, mode: 'ssh', readyTimeoutMs: 90_000 },
        {
          signal: new AbortController().signal,
          log: (text) => void (log += text),
          emit: (event, data) => void (event === 'step' && steps.push(data)),
        },
      );
      expect(steps).toContainEqual({ step: 'build', image: ref });
      expect(log).toContain(`Building ${ref} from ${dir}`);
      expect(log).toMatch(/Step|#\d+ |RUN|COPY/);
      expect(ready.buildMs).toBeGreaterThan(0);
      expect(ready.run.image).toBe(ref);
      expect((await h.docker.getImage(ref).inspect()).Config.Labels).toMatchObject(TEST_LABELS);
      await h.runs.remove(ready.run.containerId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tstudio run --json, status --json and rm', async () => {
    const ctx = { docker: h.docker, runs: h.runs };
    const run = collector();
    const limits = { cpus: 1.5, memory: 512 * 1024 ** 2, shm: 256 * 1024 ** 2, disk: 10 };
    expect(
      await runRun({ source: h.image, mode: 'ssh', json: true, port: ['70000'], ...limits }, run.io, ctx),
    ).toBe(0);
    const result = JSON.parse(run.out.stdout) as {
      id: string;
      mode: string;
      ssh: { host: string; port: number; user: string; identityFile: string };
      ports: Record<string, number>;
    };
    expect(result).toMatchObject({
      mode: 'ssh',
      ssh: { host: '127.0.0.1', user: 'root', identityFile: h.key.identityFile },
    });
    expect(result.ssh.port).toBe(result.ports['22/tcp']);
    // An identity port: the same number inside and out, announced as VAST_TCP_PORT_70000.
    const identity = result.ports['70000/tcp']!;
    const inspected = await h.docker.getContainer(result.id).inspect();
    expect(inspected.HostConfig.PortBindings?.[`${identity}/tcp`]).toEqual([
      { HostIp: '127.0.0.1', HostPort: String(identity) },
    ]);
    expect(inspected.Config.Env).toContain(`VAST_TCP_PORT_70000=${identity}`);
    expect(inspected.Config.Labels).toMatchObject({
      'tstudio.run': '1',
      'tstudio.run.mode': 'ssh',
      'tstudio.test': '1',
    });
    // Limits as an instance's: CPUs, memory, /dev/shm; the disk size only where the driver can, else a warning.
    expect(inspected.HostConfig).toMatchObject({
      NanoCpus: 1.5e9,
      Memory: limits.memory,
      ShmSize: limits.shm,
    });
    if (!inspected.HostConfig.StorageOpt)
      expect(run.out.stderr).toMatch(/disk size \(10 GB\) is not applied/);
    expect(run.out.stderr).toMatch(/CPU-only \(GPU_COUNT=0\)/);

    const status = collector();
    expect(await runStatus({ id: result.id, json: true }, status.io, ctx)).toBe(0);
    // An image run has no onstart, so the image's boot (and supervisord) never started: nothing to show.
    expect(JSON.parse(status.out.stdout)).toMatchObject({ programs: [], provisioning: 'none' });

    const rm = collector();
    expect(await runRm({ id: result.id }, rm.io, ctx)).toBe(0);
    await expect(h.runs.get(result.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/** A build context: the offline base image with a few more Dockerfile lines. */
async function baseImageContext(lines: string): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(tmpdir(), 'tstudio-base-variant-'));
  await writeFile(join(dir, 'Dockerfile'), `FROM tstudio/base:bookworm\n${lines}\n`);
  return dir;
}
