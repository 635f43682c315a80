import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecTransport } from '../../src/main/services/supervisor';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../src/shared/errors';
import {
  MonitorService,
  readBootProgress,
  type BootProgressData,
  type MonitorEvent,
} from '../../src/main/services/monitor';
import { DEMO_TEMPLATE_DIR, demoHarness, demoImageTemplate, type DemoHarness } from './helpers/demo-image';

const RANK = { pending: 0, running: 1, failed: 2, skipped: 2, done: 2 } as const;

// The demo template's real boot in a real container: onstart, the /etc/vast_boot.d stages,
// supervisord, its PROVISIONING_SCRIPT, ready. Read from the first moment the container exists.
describe('boot progress of a local run', () => {
  let h: DemoHarness;
  beforeAll(async () => {
    h = await demoHarness();
  }, 180_000);
  afterAll(async () => {
    await h?.cleanup();
  });

  it('sees the demo boot flow pass step by step, in order, to ready with provisioning complete', async () => {
    // The demo boots to ready in a few hundred milliseconds, quicker than some reads of it: its
    // provisioning is held at a gate until a read has seen it running, so the boot is seen live.
    const gated = await demoImageTemplate(h.image, [
      'env:',
      '  PROVISIONING_SCRIPT: /opt/gated-provisioning.sh',
      'onstart: |',
      `  printf '#!/bin/bash\\nwhile [ ! -e /tmp/tstudio-go ]; do sleep 0.05; done\\nexec /opt/demo/provisioning.sh\\n' > /opt/gated-provisioning.sh`,
      '  chmod 755 /opt/gated-provisioning.sh',
      '  entrypoint.sh',
    ]);
    const started = h.runs.start({ source: gated, mode: 'ssh', readyTimeoutMs: 90_000 });
    const snapshots: BootProgressData[] = [];
    const deadline = Date.now() + 90_000;
    let id: string | undefined;
    let gateOpened = false;
    while (Date.now() < deadline) {
      id ??= (await h.leftoverContainers())[0];
      if (id) {
        const b = await readBootProgress(h.docker, `run:${id.slice(0, 12)}`, id).catch(() => null);
        if (b) {
          snapshots.push(b);
          if (b.outcome !== 'booting') break;
          if (!gateOpened && b.steps.find((s) => s.id === 'provisioning')?.state === 'running') {
            await new DockerExecTransport(h.docker, id).exec(['touch', '/tmp/tstudio-go']);
            gateOpened = true;
          }
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await rm(gated, { recursive: true, force: true });
    expect(gateOpened).toBe(true);
    const ready = await started;
    expect(id).toBe(ready.run.containerId);
    const last = snapshots[snapshots.length - 1]!;
    expect(last.outcome).toBe('ready');

    // Every step passed, in the boot flow's order.
    expect(last.steps.map((s) => s.id)).toEqual([
      'started',
      'onstart',
      'boot-stages',
      'supervisor',
      'provisioning',
      'ready',
    ]);
    expect(last.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    // Provisioning ended after the container started (Docker stamps StartedAt once its start call
    // returns, when the boot may be under way: 1 s slack).
    const at = Object.fromEntries(last.steps.map((s) => [s.id, s.at ?? NaN]));
    expect(at.provisioning).toBeGreaterThanOrEqual(at.started! - 1000);
    // While it booted, supervisord was seen starting after the container (its marker's time).
    const supervisorSeen = snapshots.find((s) => s.steps[3]!.at !== null)?.steps[3]!.at;
    if (supervisorSeen !== undefined) expect(supervisorSeen).toBeGreaterThanOrEqual(at.started! - 1000);
    // The stages ran in glob order, all of the image's.
    const exec = new DockerExecTransport(h.docker, ready.run.containerId);
    const inImage = (await exec.exec(['ls', '/etc/vast_boot.d'])).stdout.split('\n').filter(Boolean);
    expect(last.stages).toEqual(inImage);
    expect(last.failures).toEqual([]);
    // The PROVISIONING_SCRIPT's log, as the container wrote it.
    expect(last.provisioningLog).toContain('Provisioning the demo workspace');
    expect(last.provisioningLog).toContain('Provisioning complete');

    // Seen live: no step ever went back, and a later step never finished before an earlier one.
    for (let i = 1; i < snapshots.length; i++) {
      snapshots[i]!.steps.forEach((s, j) => {
        expect(RANK[s.state]).toBeGreaterThanOrEqual(RANK[snapshots[i - 1]!.steps[j]!.state]);
      });
    }
    for (const snap of snapshots) {
      const ended = snap.steps.map((s) => RANK[s.state] === 2);
      // Done steps form a prefix (the started container counts from the first read).
      expect(ended.indexOf(false) === -1 || !ended.slice(ended.indexOf(false)).includes(true)).toBe(true);
    }
    expect(snapshots.length).toBeGreaterThan(1);

    // Stopped: the summary says the container no longer runs (a stop is not a boot failure).
    await h.runs.stop(ready.run.containerId);
    const stopped = await readBootProgress(h.docker, 'run:x', ready.run.containerId);
    expect(stopped.outcome).toBe('stopped');
  }, 150_000);

  it('a run the app started is told ready once: by its start operation or by the poll, not both', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tstudio-it-monitor-'));
    const events: MonitorEvent[] = [];
    const monitor = new MonitorService({
      connection: async () => {
        throw new AppError('VAST_AUTH', 'no Vast here');
      },
      dataDir,
      docker: h.docker,
      emit: (e) => events.push(e),
      intervalMs: 200,
    });
    try {
      monitor.start();
      const ready = await h.runs.start({
        source: DEMO_TEMPLATE_DIR,
        mode: 'ssh',
        buildTag: h.image,
        readyTimeoutMs: 90_000,
      });
      const id = ready.run.id;
      const pollsSeeing = async (n: number) => {
        for (let seen = 0; seen < n;) {
          const fleet = await monitor.pollNow();
          if (fleet.targets.some((t) => t.key === `run:${id}` && t.state === 'running')) seen++;
        }
      };
      await pollsSeeing(2);
      // The start operation ends after the polls already saw the run running.
      monitor.onOperationStateChanged({
        id: 'op-run-1',
        kind: 'run',
        title: 'Run demo',
        state: 'succeeded',
        startedAt: 1,
        endedAt: 2,
        lastSeq: 3,
        error: null,
        result: { run: { id, name: ready.run.name } },
      });
      await pollsSeeing(2);
      const readyNotes = events.filter(
        (e) =>
          e.name === 'notification:raised' && e.payload.kind === 'run-ready' && e.payload.target.id === id,
      );
      expect(readyNotes).toHaveLength(1);
      // Stopped, then started again: a new start is told again.
      await h.runs.stop(ready.run.containerId);
      for (;;) {
        const fleet = await monitor.pollNow();
        if (fleet.targets.find((t) => t.key === `run:${id}`)?.state === 'stopped') break;
      }
      await h.docker.getContainer(ready.run.containerId).start();
      await pollsSeeing(1);
      expect(
        events.filter(
          (e) =>
            e.name === 'notification:raised' && e.payload.kind === 'run-ready' && e.payload.target.id === id,
        ),
      ).toHaveLength(2);
    } finally {
      monitor.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
