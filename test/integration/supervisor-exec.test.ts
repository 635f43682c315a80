import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerExecTransport, SupervisorClient } from '../../src/main/services/supervisor';

const BASE_IMAGE = 'tstudio/base:bookworm';

describe('the docker exec transport and supervisor client on a bare container', () => {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  let container: Docker.Container;
  let transport: DockerExecTransport;

  beforeAll(async () => {
    container = await docker.createContainer({
      Image: BASE_IMAGE,
      Cmd: ['sleep', 'infinity'],
      Labels: { 'tstudio.test': '1' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    transport = new DockerExecTransport(docker, container.id);
  });
  afterAll(async () => {
    await container?.remove({ force: true }).catch(() => undefined);
  });

  it('keeps stdout, stderr and the exit code apart, argv passed as is', async () => {
    const r = await transport.exec([
      'sh',
      '-c',
      'printf "%s|" "$@"; echo oops >&2; exit 7',
      'sh',
      'a b',
      '$HOME',
      "'q'",
    ]);
    expect(r).toEqual({ stdout: "a b|$HOME|'q'|", stderr: 'oops\n', exitCode: 7 });
  });

  it('carries large output intact', async () => {
    const r = await transport.exec(['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x']);
    expect(r.stdout.length).toBe(3_000_000);
    expect(r.exitCode).toBe(0);
  });

  it('times out with TIMEOUT and stops a stream on abort', async () => {
    await expect(transport.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    const controller = new AbortController();
    let text = '';
    const streaming = transport.stream(['sh', '-c', 'while true; do echo tick; sleep 0.1; done'], {
      signal: controller.signal,
      onStdout: (s) => {
        text += s;
        if (text.includes('tick\ntick\n')) controller.abort();
      },
    });
    expect(await streaming).toEqual({ exitCode: -1 });
    expect(text).toContain('tick');
  });

  it('tells an unreachable supervisord from a missing supervisorctl', async () => {
    const client = new SupervisorClient(transport);
    expect(await client.snapshot()).toMatchObject({
      supervisord: 'unreachable',
      programs: [],
      provisioning: 'none',
    });
    await transport.exec(['sh', '-c', 'rm -f /usr/bin/supervisorctl; touch /.provisioning_failed']);
    expect(await client.snapshot()).toMatchObject({
      supervisord: 'absent',
      programs: [],
      provisioning: 'failed',
    });
    expect(await client.tailLog('nothing', 10)).toBe('');
    expect(await client.portalApps()).toEqual([]);
  });

  it('refuses a program name that is not one', async () => {
    const client = new SupervisorClient(transport);
    await expect(client.control('x; rm -rf /', 'stop')).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(client.tailLog('../../etc/passwd')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('says when the container is gone', async () => {
    const gone = new DockerExecTransport(docker, 'f'.repeat(64));
    await expect(gone.exec(['true'])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
