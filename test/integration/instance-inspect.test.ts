import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSupervisorctlStatus } from '../../src/main/services/supervisor/index';
import { call, waitFor } from '../security/helpers/test-app';
import { sandboxApp, type SandboxApp } from './helpers/sandbox-app';

// A Vast instance of the app's default account (the sandbox: a real container of the demo image
// with a real sshd and supervisord), looked into over SSH with the app's key, and the same things
// read with `docker exec` as the reference.
let env: SandboxApp;
let instanceId: number;
let containerId: string;

beforeAll(async () => {
  env = await sandboxApp();
  instanceId = await env.launchDemo();
  containerId = (await env.containerOf(instanceId)).Id;
});

afterAll(async () => {
  await env?.cleanup();
});

/** What does not tick between two reads: name, state, pid, and the description of a program that is not running. */
function stableView(
  programs: { namespec: string; state: string; pid: number | null; description: string }[],
) {
  return programs
    .map((p) => ({
      namespec: p.namespec,
      state: p.state,
      pid: p.pid,
      // A running program's description carries its uptime, which moves between two reads.
      description: p.state === 'RUNNING' ? null : p.description,
    }))
    .sort((a, b) => a.namespec.localeCompare(b.namespec));
}

describe('supervisor status of a sandbox instance over SSH', () => {
  it('equals what `docker exec <container> supervisorctl status` prints, FATAL and skipped programs included', async () => {
    const reference = () => {
      const status = parseSupervisorctlStatus(env.dockerExec(containerId, ['supervisorctl', 'status']));
      const skipped = env
        .dockerExec(containerId, ['ls', '-1A', '/tmp/supervisor-skip'])
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean)
        .sort();
      return { programs: stableView(status.processes), skipped };
    };
    // The demo's flaky program goes BACKOFF -> FATAL after a few seconds: compare once the engine's
    // view holds still across the SSH read (read before and after, and require both to agree).
    const { viaSsh, before } = await waitFor(
      'a settled status with a FATAL program, equal over SSH and docker exec',
      async () => {
        const before = reference();
        const snapshot = await call(env.app, 'instances:supervisor', { instanceId });
        const after = reference();
        if (JSON.stringify(before) !== JSON.stringify(after)) return null;
        if (!before.programs.some((p) => p.state === 'FATAL')) return null;
        return { viaSsh: snapshot, before };
      },
      90_000,
    );
    expect(viaSsh.supervisord).toBe('running');
    expect(stableView(viaSsh.programs)).toEqual(before.programs);
    expect(
      viaSsh.programs
        .filter((p) => p.skipped)
        .map((p) => p.name)
        .sort(),
    ).toEqual(before.skipped.filter((name) => viaSsh.programs.some((p) => p.name === name)));
    expect(viaSsh.programs.some((p) => p.skipped)).toBe(true);
    expect(viaSsh.programs.some((p) => p.state === 'FATAL')).toBe(true);
  });

  it('follows a program log, controls a program and lists portal apps with their published URLs', async () => {
    const { opId } = await call(env.app, 'instances:programLogFollow', {
      instanceId,
      program: 'webapp',
      lines: 50,
    });
    // A line written into the log after the follow began, through docker exec: it must arrive over SSH.
    const marker = `tstudio-it-${Date.now()}`;
    env.dockerExec(containerId, ['sh', '-c', `echo ${marker} >> /var/log/portal/webapp.log`]);
    await waitFor('the marker in the followed log', () =>
      env.app.operations
        .replay(opId, 0)
        .events.some((e) => e.type === 'log' && String((e.data as { text: string }).text).includes(marker)),
    );
    await call(env.app, 'operations:cancel', { id: opId });
    expect((await env.app.operations.settled(opId)).state).not.toBe('failed');

    const stopped = await call(env.app, 'instances:programControl', {
      instanceId,
      program: 'webapp',
      action: 'stop',
    });
    expect(stopped.ok).toBe(true);
    expect(env.dockerExec(containerId, ['supervisorctl', 'status', 'webapp'])).toMatch(/STOPPED/);
    const started = await call(env.app, 'instances:programControl', {
      instanceId,
      program: 'webapp',
      action: 'start',
    });
    expect(started.ok).toBe(true);

    const apps = await call(env.app, 'instances:portalApps', { instanceId });
    const instance = await call(env.app, 'vast:instance', { id: instanceId });
    const web = apps.find((a) => a.externalPort === 8000);
    const hostPort = instance.ports.find((p) => p.container === '8000/tcp')?.hostPort;
    expect(hostPort).toBeDefined();
    expect(web?.url).toBe(`http://${instance.publicIp}:${hostPort}${web?.openPath}`);
  });

  it('watches the status live, says when the instance cannot be reached, and recovers', async () => {
    const { opId } = await call(env.app, 'instances:watchSupervisor', { instanceId, intervalMs: 1000 });
    const events = () => env.app.operations.replay(opId, 0).events;
    await waitFor('a first status event', () => events().some((e) => e.type === 'status'));
    // A frozen box: SSH stops answering, the watch says so and keeps trying.
    await env.docker.getContainer(containerId).pause();
    try {
      await waitFor('an unreachable event', () => events().some((e) => e.type === 'unreachable'), 60_000);
    } finally {
      await env.docker.getContainer(containerId).unpause();
    }
    const unreachableAt = events().findLast((e) => e.type === 'unreachable')!.seq;
    await waitFor(
      'a status event after the box answers again',
      () => events().some((e) => e.type === 'status' && e.seq > unreachableAt),
      60_000,
    );
    await call(env.app, 'operations:cancel', { id: opId });
    expect((await env.app.operations.settled(opId)).state).toBe('cancelled');
  });

  it('refuses an unknown instance with NOT_FOUND', async () => {
    await expect(call(env.app, 'instances:supervisor', { instanceId: 987_654_321 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
