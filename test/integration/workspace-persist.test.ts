import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecTransport } from '../../src/main/services/supervisor';
import { DEMO_TEMPLATE_DIR, demoHarness, type DemoHarness } from './helpers/demo-image';

/** The host user the ACL is for: the folder's owner (these tests run as root, as CI does). */
const HOST_UID = 4242;
/** Someone else on the host, who must get nothing from that ACL. */
const OTHER_UID = 4243;
const SYNCED = 'README-workspace.md';

/** A command run on the host as another uid (setpriv drops root for real: uid, gid and groups). */
function asUid(uid: number, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'setpriv',
      [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', 'sh', '-c', script],
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('workspaces: a host folder or a named volume that outlives the run', () => {
  let h: DemoHarness;
  let parent: string;
  const volume = `tstudio-it-ws-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    h = await demoHarness();
    parent = await mkdtemp(join(tmpdir(), 'tstudio-it-ws-'));
    // mkdtemp makes 0700 folders: the host user must be able to walk into its workspace.
    await chmod(parent, 0o755);
  });
  afterAll(async () => {
    await h?.cleanup();
    await h?.docker
      .getVolume(volume)
      .remove({ force: true })
      .catch(() => undefined);
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  const exec = (id: string, script: string) =>
    new DockerExecTransport(h.docker, id).exec(['sh', '-c', script], { timeoutMs: 15_000 });

  it('a host folder: first boot syncs /opt/workspace-internal, data and edits survive into the next run, the host user can read and write what root made', async () => {
    const folder = join(parent, 'ws');
    await mkdir(folder);
    await chown(folder, HOST_UID, HOST_UID);

    const first = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      workspace: folder,
      readyTimeoutMs: 90_000,
    });
    expect(first.run.workspace).toMatchObject({ kind: 'host', source: folder, target: '/workspace' });
    expect(first.run.workspace?.acl).toBe(`applied for uid ${HOST_UID}`);
    const id1 = first.run.containerId;
    expect((await exec(id1, 'printenv DATA_DIRECTORY')).stdout.trim()).toBe('/workspace/');
    // The boot's stage 36 copied the image's workspace item in on this first boot.
    expect((await exec(id1, `cat /workspace/${SYNCED}`)).stdout).toContain('Your workspace');
    const wrote = await exec(
      id1,
      `echo from-run-1 > /workspace/run1.txt && echo edited-in-run-1 > /workspace/${SYNCED} && mkdir -p /workspace/sub && echo deep > /workspace/sub/made-by-root.txt`,
    );
    expect(wrote.exitCode).toBe(0);
    await h.runs.remove(id1);
    expect(await h.leftoverContainers()).toEqual([]);

    // On the host: root owns what the container made, and the ACL is what lets the user in.
    expect((await stat(join(folder, 'sub', 'made-by-root.txt'))).uid).toBe(0);
    const user = await asUid(
      HOST_UID,
      `cat '${folder}/run1.txt' && echo from-host >> '${folder}/run1.txt' && echo more >> '${folder}/sub/made-by-root.txt' && touch '${folder}/sub/host-made'`,
    );
    expect(user).toMatchObject({ code: 0, stdout: 'from-run-1\n' });
    const other = await asUid(OTHER_UID, `echo intruder >> '${folder}/run1.txt'`);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/Permission denied/);

    // Run 2 names no workspace: the template's remembered choice is used.
    const second = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      readyTimeoutMs: 90_000,
    });
    const id2 = second.run.containerId;
    expect(second.run.workspace?.source).toBe(folder);
    expect((await exec(id2, 'cat /workspace/run1.txt')).stdout).toBe('from-run-1\nfrom-host\n');
    expect((await exec(id2, 'cat /workspace/sub/made-by-root.txt')).stdout).toBe('deep\nmore\n');
    // The synced item is there, so the second first-boot sync left the edit alone.
    expect((await exec(id2, `cat /workspace/${SYNCED}`)).stdout).toBe('edited-in-run-1\n');
    expect(await readFile(join(folder, SYNCED), 'utf8')).toBe('edited-in-run-1\n');
    await h.runs.remove(id2);
  });

  it('SKIP_ACL=true leaves the folder alone: the host user cannot write what root made', async () => {
    const folder = join(parent, 'ws-noacl');
    await mkdir(folder);
    await chown(folder, HOST_UID, HOST_UID);
    const ready = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      workspace: folder,
      env: { SKIP_ACL: 'true' },
      readyTimeoutMs: 90_000,
    });
    expect(ready.run.workspace?.acl).toBe('skipped: SKIP_ACL=true');
    expect((await exec(ready.run.containerId, 'echo x > /workspace/root-only.txt')).exitCode).toBe(0);
    await h.runs.remove(ready.run.containerId);
    const user = await asUid(HOST_UID, `echo y >> '${folder}/root-only.txt'`);
    expect(user.code).not.toBe(0);
  });

  it('a named volume: made with the labels, no ACL, and the second run sees the first run’s file', async () => {
    const first = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      workspace: `volume:${volume}`,
      readyTimeoutMs: 90_000,
    });
    expect(first.run.workspace).toEqual({
      kind: 'volume',
      source: volume,
      target: '/workspace',
      acl: 'skipped: a named volume',
    });
    expect((await h.docker.getVolume(volume).inspect()).Labels).toMatchObject({ 'tstudio.test': '1' });
    const id1 = first.run.containerId;
    expect((await exec(id1, `cat /workspace/${SYNCED}`)).stdout).toContain('Your workspace');
    await exec(id1, `echo in-volume > /workspace/kept.txt && echo mine > /workspace/${SYNCED}`);
    await h.runs.remove(id1);

    const second = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      workspace: `volume:${volume}`,
      readyTimeoutMs: 90_000,
    });
    const id2 = second.run.containerId;
    expect((await exec(id2, 'cat /workspace/kept.txt')).stdout).toBe('in-volume\n');
    expect((await exec(id2, `cat /workspace/${SYNCED}`)).stdout).toBe('mine\n');
    await h.runs.remove(id2);
  });
});
