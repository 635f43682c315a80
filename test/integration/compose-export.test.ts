import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportCompose } from '../../src/main/services/compose';
import { DockerExecTransport } from '../../src/main/services/supervisor';
import { DEMO_TEMPLATE_DIR, REPO_ROOT, demoHarness, waitFor, type DemoHarness } from './helpers/demo-image';
import { opensshArgs } from './helpers/openssh-args';

interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], cwd?: string, timeout = 120_000): Promise<Done> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/** Debian's docker-compose 1.29, as a user without the app would run it. */
const compose = (project: string, dir: string, ...args: string[]) =>
  run('/usr/bin/docker-compose', ['-p', project, ...args], dir);

describe('compose export: a run reproduced by docker-compose 1.29 without the app', () => {
  let h: DemoHarness;
  let parent: string;
  const projects: { name: string; dir: string }[] = [];
  const volume = `tstudio-it-compose-${randomBytes(4).toString('hex')}`;

  /** `ssh … root@127.0.0.1 <command>` with the OpenSSH client and the app key, retried until sshd answers. */
  const sshUntilOk = (port: number, command: string) =>
    waitFor(
      `ssh on 127.0.0.1:${port}`,
      async () => {
        const r = await run(
          'ssh',
          [...opensshArgs(h.key.identityFile, port, ['-o', 'ConnectTimeout=5']), 'root@127.0.0.1', command],
          undefined,
          20_000,
        );
        if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr.trim()}`);
        return r.stdout;
      },
      60_000,
      300,
    );

  beforeAll(async () => {
    h = await demoHarness();
    parent = await mkdtemp(join(tmpdir(), 'tstudio-it-compose-'));
    await chmod(parent, 0o755);
    await h.docker.createVolume({ Name: volume, Labels: h.labels });
  });
  afterAll(async () => {
    for (const p of projects) await compose(p.name, p.dir, 'down', '-v', '--remove-orphans');
    await h?.cleanup();
    await h?.docker
      .getVolume(volume)
      .remove({ force: true })
      .catch(() => undefined);
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('a template folder in ssh mode: up, SSH in with the app key, /.launch is there, the volume gets the first-boot sync, down', async () => {
    const out = join(parent, 'from-template');
    const started = Date.now();
    const result = await exportCompose(h.runs, DEMO_TEMPLATE_DIR, {
      out,
      mode: 'ssh',
      workspace: `volume:${volume}`,
      buildTag: h.image,
      labels: h.labels,
    });
    const exportMs = Date.now() - started;
    expect(result.files.sort()).toEqual(['docker-compose.yaml', 'launch/launch.sh', 'launch/onstart']);
    expect(await readFile(join(out, 'launch', 'launch.sh'))).toEqual(
      await readFile(join(REPO_ROOT, 'resources', 'launch', 'launch.sh')),
    );
    expect(await readFile(join(out, 'launch', 'onstart'), 'utf8')).toBe('entrypoint.sh\n');
    const text = await readFile(join(out, 'docker-compose.yaml'), 'utf8');
    expect(text).toMatch(/Vast replaces the ENTRYPOINT/);
    expect(text).toMatch(/what Vast injects/);
    expect(text).toMatch(/CPU-only \(GPU_COUNT=0\)/);
    const file = parse(text) as {
      version: string;
      services: { run: { environment: Record<string, string>; ports: string[]; entrypoint: string[] } };
      volumes: Record<string, { external: boolean; name: string }>;
    };
    const svc = file.services.run;
    const sshPort = result.ports['22/tcp']!;
    expect(svc.ports).toContain(`127.0.0.1:${sshPort}:22/tcp`);
    expect(svc.environment.VAST_TCP_PORT_22).toBe(String(sshPort));
    expect(svc.environment.SSH_PUBLIC_KEY).toBe(h.key.publicKey.trim());
    expect(svc.environment.DATA_DIRECTORY).toBe('/workspace/');
    expect(svc.entrypoint).toEqual(['/bin/sh', '/.tstudio/launch/launch.sh']);
    expect(file.volumes.workspace).toEqual({ external: true, name: volume });

    const project = `tstudioit${randomBytes(4).toString('hex')}`;
    projects.push({ name: project, dir: out });
    const upStarted = Date.now();
    const up = await compose(project, out, 'up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(await sshUntilOk(sshPort, 'cat /.launch')).toMatch(/ssh mode/);
    const sshMs = Date.now() - upStarted;
    // onstart (entrypoint.sh) runs the image's boot, whose stage 36 fills the empty volume.
    await waitFor('the first-boot sync into the volume', async () =>
      (await sshUntilOk(sshPort, 'cat /workspace/README-workspace.md')).includes('Your workspace')
        ? true
        : undefined,
    );
    const down = await compose(project, out, 'down', '-v');
    expect(down.code, down.stderr).toBe(0);
    // The volume is external: `down -v` leaves the workspace alone.
    expect((await h.docker.getVolume(volume).inspect()).Name).toBe(volume);
    console.log(`compose export ${exportMs} ms; up to SSH login ${sshMs} ms`);
  });

  it('a run by id: same ports, ids and workspace; after the run is removed, compose brings it back with its data', async () => {
    const folder = join(parent, 'ws');
    await mkdir(folder);
    await chown(folder, 4242, 4242);
    const ready = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      workspace: folder,
      env: { NOTE: 'costs $5' },
      limits: { cpus: 1.5, memoryBytes: 512 * 1024 * 1024, shmBytes: 256 * 1024 * 1024 },
      readyTimeoutMs: 90_000,
    });
    const id = ready.run.containerId;
    await new DockerExecTransport(h.docker, id).exec(['sh', '-c', 'echo from-the-run > /workspace/kept.txt']);
    const out = join(parent, 'from-run');
    const result = await exportCompose(h.runs, ready.run.id, { out, labels: h.labels });
    expect(result.ports).toEqual(ready.run.ports);
    const text = await readFile(join(out, 'docker-compose.yaml'), 'utf8');
    // A literal $ is escaped for compose's interpolation.
    expect(text).toContain('NOTE: costs $$5');
    const file = parse(text) as {
      services: Record<string, Record<string, unknown>>;
    };
    const svc = file.services.run!;
    expect((svc.environment as Record<string, string>).CONTAINER_ID).toBe(String(ready.run.instanceId));
    expect(svc.cpus).toBe(1.5);
    expect(svc.mem_limit).toBe(512 * 1024 * 1024);
    expect(svc.shm_size).toBe(256 * 1024 * 1024);
    expect(svc.volumes).toContainEqual({ type: 'bind', source: folder, target: '/workspace' });
    expect(svc.depends_on).toEqual({ 'workspace-acl': { condition: 'service_completed_successfully' } });
    // The image's own ENV is not repeated.
    expect(svc.environment).not.toHaveProperty('PATH');
    await h.runs.remove(id);

    const project = `tstudioit${randomBytes(4).toString('hex')}`;
    projects.push({ name: project, dir: out });
    const up = await compose(project, out, 'up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const sshPort = ready.run.ports['22/tcp']!;
    expect(await sshUntilOk(sshPort, 'cat /workspace/kept.txt')).toBe('from-the-run\n');
    // The container's own environment (an SSH session reads /etc/environment, which the image's boot
    // writes unescaped as Vast's does, so a $ there is the image's business, not the export's).
    const env = await compose(project, out, 'exec', '-T', 'run', 'printenv', 'NOTE', 'CONTAINER_ID');
    expect(env.stdout).toBe(`costs $5\n${ready.run.instanceId}\n`);
    // The one-shot ACL service ran to completion before the run started.
    const acl = await compose(project, out, 'ps', '-a', 'workspace-acl');
    expect(acl.stdout).toMatch(/Exit 0/);
    const down = await compose(project, out, 'down', '-v');
    expect(down.code, down.stderr).toBe(0);
    expect(await readFile(join(folder, 'kept.txt'), 'utf8')).toBe('from-the-run\n');
  });
});
