import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecTransport } from '../../src/main/services/supervisor';
import { LocalRunService } from '../../src/main/services/launch';
import { REPO_ROOT, demoHarness, demoImageTemplate, type DemoHarness } from './helpers/demo-image';

// "Ready" means an SSH handshake succeeds AND /.provisioning is gone. The launch script's watcher tells the
// app when the marker is gone (no docker exec); these runs hold the marker for PROVISIONING_S seconds
// on purpose, so a ready that came too early (a missed marker, the previous start's word) shows.
const PROVISIONING_S = 3;

/** A template on the demo image whose onstart installs a provisioning script that takes a while. */
function slowProvisioningTemplate(image: string): Promise<string> {
  return demoImageTemplate(image, [
    'env:',
    '  PROVISIONING_SCRIPT: /opt/slow-provisioning.sh',
    'onstart: |',
    `  printf '#!/bin/bash\\nsleep ${PROVISIONING_S}\\necho slow provisioning done\\n' > /opt/slow-provisioning.sh`,
    '  chmod 755 /opt/slow-provisioning.sh',
    '  entrypoint.sh',
  ]);
}

/** Whether /.provisioning is there and whether provisioning completed, seen from inside the run. */
async function markers(h: DemoHarness, id: string): Promise<{ marker: boolean; complete: boolean }> {
  const out = (
    await new DockerExecTransport(h.docker, id).exec([
      'sh',
      '-c',
      'test -e /.provisioning && echo marker; test -e /.provisioning_complete && echo complete; true',
    ])
  ).stdout;
  return { marker: out.includes('marker'), complete: out.includes('complete') };
}

describe('ready waits until /.provisioning is gone', () => {
  let h: DemoHarness;
  let template: string;
  let id: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    h = await demoHarness();
    template = await slowProvisioningTemplate(h.image);
    dirs.push(template);
  });
  afterAll(async () => {
    await h?.cleanup();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('is not ready while provisioning runs, and says so from the launch script', async () => {
    const ready = await h.runs.start({ source: template, mode: 'ssh', readyTimeoutMs: 90_000 });
    id = ready.run.containerId;
    expect(await markers(h, id)).toEqual({ marker: false, complete: true });
    expect(ready.readyMs).toBeGreaterThanOrEqual(PROVISIONING_S * 1000);
    const output = await h.runs.logs(id);
    expect(output).toContain('[tstudio-launch] provisioning started (/.provisioning is there)');
    expect(output).toContain('[tstudio-launch] provisioning ended (/.provisioning removed)');
  });

  it("after a restart, waits for this start's provisioning, not for what the last start said", async () => {
    // Provisioning runs once per instance: forget that it ran, so the restart provisions again.
    await new DockerExecTransport(h.docker, id).exec(['rm', '-f', '/.provisioning_complete']);
    const started = Date.now();
    await h.runs.restart(id, { wait: true, timeoutMs: 90_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(PROVISIONING_S * 1000);
    expect(await markers(h, id)).toEqual({ marker: false, complete: true });
  });

  it('takes a running supervisord as the sign that a marker it never saw came and went', async () => {
    // A boot that makes and removes /.provisioning between two of the watcher's looks, as a fast one
    // can, looks from outside like this onstart: supervisord started, no marker ever seen. The watcher
    // must end the wait at once on the process, not a quarter second later on its socket.
    const dir = await demoImageTemplate(h.image, [
      'onstart: supervisord -n -c /etc/supervisor/supervisord.conf',
    ]);
    dirs.push(dir);
    const ready = await h.runs.start({ source: dir, mode: 'ssh', readyTimeoutMs: 90_000 });
    const output = await h.runs.logs(ready.run.containerId);
    expect(output).toContain(
      '[tstudio-launch] provisioning ended (supervisord is running, /.provisioning is not there)',
    );
    expect(output).not.toContain('provisioning started');
    await h.runs.remove(ready.run.containerId);
  });

  it('watches the marker the same in bash (no process per pause) and in plain sh (sleep)', async () => {
    // launch.sh runs its watcher in bash where the image has bash; an image without bash gets it in
    // sh. Both must see the marker come and go. A pause that did not pause (bash's timed read returning
    // at once) would run through the watcher's hour of looks in a moment and say it stopped watching.
    const script = [
      'mkdir -p /.tstudio',
      'for shell in sh bash; do',
      '  : > /.provisioning',
      '  $shell /launch/launch.sh watch-provisioning 999999 1 > /tmp/watch.$shell 2>&1 &',
      '  watcher=$!',
      '  sleep 0.5',
      '  rm -f /.provisioning',
      '  wait $watcher',
      '  echo "== $shell"; cat /tmp/watch.$shell',
      'done',
    ].join('\n');
    const container = await h.docker.createContainer({
      Image: h.image,
      Entrypoint: ['/bin/sh', '-c', script],
      // A terminal: the log is the plain text (no stream framing), with \r\n line ends.
      Tty: true,
      Labels: h.labels,
      HostConfig: {
        Binds: [`${join(REPO_ROOT, 'resources', 'launch')}:/launch:ro`],
        NetworkMode: 'none',
      },
    });
    try {
      await container.start();
      await container.wait();
      const output = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      const [, sh, bash] = output.replaceAll('\r', '').split(/^== (?:sh|bash)$/m);
      expect(bash).toBeDefined();
      for (const seen of [sh, bash]) {
        expect(seen).toContain('[tstudio-launch] provisioning started (/.provisioning is there)');
        expect(seen).toContain('[tstudio-launch] provisioning ended (/.provisioning removed)');
        expect(seen).not.toContain('stopped watching');
      }
    } finally {
      await container.remove({ force: true });
    }
  });

  it('is ready all the same when the launch script says nothing (a run made by an older one)', async () => {
    // The same script with another prefix: the app recognises none of its lines and must look itself.
    const scripts = await mkdtemp(join(tmpdir(), 'tstudio-it-quiet-launch-'));
    dirs.push(scripts);
    await cp(join(REPO_ROOT, 'resources', 'launch'), scripts, { recursive: true });
    const script = join(scripts, 'launch.sh');
    const quiet = (await readFile(script, 'utf8')).replace(
      'log() { echo "[tstudio-launch] $*"; }',
      'log() { echo "[quiet-launch] $*"; }',
    );
    expect(quiet).toContain('[quiet-launch]');
    await writeFile(script, quiet);
    const runs = new LocalRunService(h.docker, {
      dataDir: h.dataDir,
      sshPublicKey: h.key.publicKey,
      identityFile: h.key.identityFile,
      launchScriptsDir: scripts,
      labels: h.labels,
    });
    const ready = await runs.start({ source: template, mode: 'ssh', readyTimeoutMs: 90_000 });
    expect(ready.readyMs).toBeGreaterThanOrEqual(PROVISIONING_S * 1000);
    expect(await markers(h, ready.run.containerId)).toEqual({ marker: false, complete: true });
    expect(await runs.logs(ready.run.containerId)).not.toContain('[tstudio-launch]');
  });
});
