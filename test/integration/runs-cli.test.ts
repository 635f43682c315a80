import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecTransport } from '../../src/main/services/supervisor';
import type { RunReady } from '../../src/main/services/launch';
import { runRuns, type RunListEntry } from '../../src/main/cli/commands/runs';
import { runLogs } from '../../src/main/cli/commands/logs';
import { CLI, REPO_ROOT } from './helpers/cli';
import { DEMO_TEMPLATE_DIR, demoHarness, waitFor, type DemoHarness } from './helpers/demo-image';

function collector(signal?: AbortSignal) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (s: string) => void (out.stdout += s),
      stderr: (s: string) => void (out.stderr += s),
      signal,
    },
  };
}

/** Args mode keeps the demo image's own entrypoint, whose boot prints `boot: <stage>` lines. */
const BOOT_LINE = 'boot: 10-prep-env.sh';

describe('tstudio runs, logs and runs --prune', () => {
  let h: DemoHarness;
  let live: RunReady;
  const ctx = () => ({ docker: h.docker, runs: h.runs });
  const startArgsRun = (ephemeral = false) =>
    h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'args',
      buildTag: h.image,
      readyTimeoutMs: 90_000,
      ephemeral,
    });

  beforeAll(async () => {
    h = await demoHarness();
    live = await startArgsRun();
    await waitFor(
      'the boot to print its stages',
      async () => ((await h.runs.logs(live.run.id)).includes(BOOT_LINE) ? true : undefined),
      30_000,
    );
  });
  afterAll(async () => {
    await h?.cleanup();
  });

  it('tstudio runs --json lists the run with its mode, ports and ready time; the table too', async () => {
    const json = collector();
    expect(await runRuns({ json: true }, json.io, ctx())).toBe(0);
    const entries = JSON.parse(json.out.stdout) as RunListEntry[];
    // The engine is shared: other runs may be listed too; this one must be there, as it is.
    const mine = entries.find((e) => e.id === live.run.id);
    expect(mine).toMatchObject({
      id: live.run.id,
      mode: 'args',
      image: h.image,
      state: 'running',
      ports: live.run.ports,
      ssh: null,
    });
    expect(Object.keys(mine!.ports).length).toBeGreaterThan(0);
    expect(mine!.readyMs).toBe(live.readyMs);
    expect(mine!.uptimeSeconds).toBeGreaterThanOrEqual(0);

    const text = collector();
    expect(await runRuns({}, text.io, ctx())).toBe(0);
    const [head, ...rows] = text.out.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^ID\s+MODE\s+IMAGE\s+STATE\s+UPTIME\s+READY IN\s+PORTS$/);
    const row = rows.find((r) => r.startsWith(live.run.id))!;
    expect(row).toMatch(/\sargs\s/);
    expect(row).toContain('running');
    const [port, host] = Object.entries(live.run.ports)[0]!;
    expect(row).toContain(`${port.replace(/\/tcp$/, '')}→127.0.0.1:${host}`);
  });

  it("tstudio logs prints the container's own output, and --tail N its last N lines", async () => {
    const all = collector();
    expect(await runLogs({ id: live.run.id }, all.io, ctx())).toBe(0);
    expect(all.out.stdout).toContain(BOOT_LINE);
    const last = collector();
    expect(await runLogs({ id: live.run.id, tail: 1 }, last.io, ctx())).toBe(0);
    expect(last.out.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(all.out.stdout.trimEnd().endsWith(last.out.stdout.trimEnd())).toBe(true);
    await expect(runLogs({ id: 'nosuchrun0000' }, collector().io, ctx())).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('tstudio runs') as unknown,
    });
  });

  it('tstudio logs -f streams new output and ends with 130 when aborted', async () => {
    const controller = new AbortController();
    const follow = collector(controller.signal);
    const done = runLogs({ id: live.run.id, follow: true, tail: 5 }, follow.io, ctx());
    // What pid 1 writes from now on reaches the engine's log, and the follower.
    const marker = `tstudio-follow-marker-${Date.now()}`;
    await new DockerExecTransport(h.docker, live.run.containerId).exec([
      'sh',
      '-c',
      `echo ${marker} > /proc/1/fd/1`,
    ]);
    await waitFor('the follower to print the marker', async () =>
      follow.out.stdout.includes(marker) ? true : undefined,
    );
    const abortedAt = Date.now();
    controller.abort();
    expect(await done).toBe(130);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    // The run itself goes on.
    expect((await h.runs.get(live.run.id)).state).toBe('running');
  });

  it('the built tstudio logs -f exits 130 on Ctrl-C (SIGINT)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tstudio-it-logs-cli-'));
    try {
      const child = spawn(process.execPath, [CLI, 'logs', live.run.id, '--follow'], {
        cwd: REPO_ROOT,
        env: { ...process.env, TSTUDIO_DATA_DIR: dataDir },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitFor(
        `tstudio logs -f to print the boot (stderr: ${stderr})`,
        async () => (stdout.includes(BOOT_LINE) ? true : undefined),
        30_000,
      );
      child.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 10_000)),
      ]);
      if (code === 'still running') child.kill('SIGKILL');
      expect(code).toBe(130);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('tstudio logs -f ends by itself when the run stops; runs --prune then removes that orphan only', async () => {
    // A run of a smoke that was killed: ephemeral, and stopped.
    const orphan = await startArgsRun(true);
    const follow = collector();
    const done = runLogs({ id: orphan.run.id, follow: true }, follow.io, ctx());
    await waitFor('the follower to print the boot', async () =>
      follow.out.stdout.includes(BOOT_LINE) ? true : undefined,
    );
    await h.runs.stop(orphan.run.id);
    expect(await done).toBe(0);
    expect(follow.out.stderr).toMatch(new RegExp(`^Run ${orphan.run.id} is exited`));

    const pruned = collector();
    expect(await runRuns({ prune: true, json: true }, pruned.io, ctx())).toBe(0);
    const { removed } = JSON.parse(pruned.out.stdout) as { removed: string[] };
    expect(removed).toContain(orphan.run.id);
    expect(removed).not.toContain(live.run.id);
    await expect(h.runs.get(orphan.run.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.runs.get(live.run.id)).state).toBe('running');

    // Nothing of ours is left to prune: the human output says so (or names only other engines' orphans).
    const again = collector();
    expect(await runRuns({ prune: true }, again.io, ctx())).toBe(0);
    expect(again.out.stdout).not.toContain(live.run.id);
    expect(again.out.stdout).toMatch(/^(Nothing to clean up|Removed \d+ orphan run)/);
  });

  it('tstudio runs says how to start one when there are none', async () => {
    // The engine is shared and may hold other runs; the empty case is a list that returns none.
    const none = collector();
    const empty = {
      ...ctx(),
      runs: Object.assign(Object.create(h.runs) as typeof h.runs, { list: async () => [] }),
    };
    expect(await runRuns({}, none.io, empty)).toBe(0);
    expect(none.out.stdout).toBe('There are no local runs. Start one with: tstudio run PATH --mode ssh\n');
  });
});
