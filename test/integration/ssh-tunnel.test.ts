import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'shell-quote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshService, type ManagedTunnel, type SshTarget } from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';
import { THROWAWAY_HOST_OPTIONS } from './helpers/openssh-args';

let dataDir: string;
let ssh: SshService;
let sshd: SshdContainer;
let target: SshTarget;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-tunnel-'));
  // Fast retries keep the restart test short; the schedule itself is unit-tested.
  ssh = new SshService({
    dataDir,
    env: {},
    connection: { backoff: { initialMs: 200, maxMs: 2_000, factor: 2 } },
  });
  const key = await ssh.keys.get();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
  target = { host: sshd.host, port: sshd.port, user: sshd.user };
  await sshd.serveHello(8000, 'hello through the tunnel');
});

afterAll(async () => {
  await ssh?.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

async function fetchText(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/hello.txt`);
  return response.text();
}

function connectOutcome(port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('SSH tunnels against a real sshd', () => {
  it('forwards an HTTP fetch through a tunnel on a port chosen by the system', async () => {
    const tunnel = ssh.tunnels.open(target, { remotePort: 8000, localPort: 0 });
    const up = await tunnel.whenUp();
    expect(up.localPort).toBeGreaterThan(0);
    expect(await fetchText(up.localPort ?? 0)).toBe('hello through the tunnel\n');
    await waitUntil(() => tunnel.snapshot().activeConnections === 0, 5_000, 'the fetch connection to close');
    const after = tunnel.snapshot();
    expect(after.totalConnections).toBe(1);
    expect(after.bytesIn).toBeGreaterThan(24);
    expect(after.bytesOut).toBeGreaterThan(0);
    await ssh.tunnels.close(tunnel.id);
    expect(await connectOutcome(up.localPort ?? 0)).toBe('ECONNREFUSED');
  });

  it('closes the listener while sshd is down and reopens it on the SAME port when it is back', async () => {
    const states: string[] = [];
    const tunnel = ssh.tunnels.open(target, { remotePort: 8000, localPort: 0 });
    ssh.tunnels.on('state', (t: ManagedTunnel) => {
      if (t.id === tunnel.id && states.at(-1) !== t.state) states.push(t.state);
    });
    const { localPort } = await tunnel.whenUp();
    const port = localPort ?? 0;
    expect(await fetchText(port)).toContain('hello');

    await sshd.stopSshd();
    await waitUntil(() => tunnel.state === 'retrying', 20_000, 'the tunnel to notice sshd is gone');
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');

    await sshd.startSshd();
    await waitUntil(() => tunnel.state === 'up', 30_000, 'the tunnel to come back');
    expect(tunnel.localPort).toBe(port);
    expect(await fetchText(port)).toContain('hello');
    expect(tunnel.snapshot().totalConnections).toBe(2);
    expect(states).toEqual(['up', 'retrying', 'up']);
    await ssh.tunnels.close(tunnel.id);
  });

  it('notices a silent dead link by keepalive and comes back on the same port', async () => {
    // Short keepalives so a frozen peer is noticed in about a second instead of 30 s.
    const quick = new SshService({
      dataDir,
      env: {},
      connection: {
        keepaliveIntervalMs: 400,
        keepaliveCountMax: 2,
        backoff: { initialMs: 200, maxMs: 1_000, factor: 2 },
      },
    });
    try {
      const tunnel = quick.tunnels.open(target, { remotePort: 8000, localPort: 0 });
      const { localPort } = await tunnel.whenUp();
      await sshd.pause();
      try {
        await waitUntil(
          () => tunnel.state === 'retrying',
          15_000,
          'keepalive to declare the frozen link dead',
        );
        expect(await connectOutcome(localPort ?? 0)).toBe('ECONNREFUSED');
      } finally {
        await sshd.unpause();
      }
      await waitUntil(() => tunnel.state === 'up', 30_000, 'the tunnel to come back after the thaw');
      expect(tunnel.localPort).toBe(localPort);
      expect(await fetchText(localPort ?? 0)).toContain('hello');
    } finally {
      await quick.dispose();
    }
  });

  it('fails with CONFLICT when the local port is taken by someone else', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const tunnel = ssh.tunnels.open(target, { remotePort: 8000, localPort: taken });
      await expect(tunnel.whenUp()).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(tunnel.state).toBe('failed');
      await ssh.tunnels.close(tunnel.id);
    } finally {
      blocker.close();
    }
  });

  it('gives an OpenSSH command line that works with the stock client and the app key', async () => {
    const line = await ssh.sshCommand(target, [], { command: ['sh', '-c', 'echo "$1"', 'sh', 'it works'] });
    const argv = parse(line) as string[];
    expect(argv[0]).toBe('ssh');
    expect(argv).toContain('-i');
    // The stock client must not prompt about the throwaway container's host key in a test.
    const { stdout } = await promisify(execFile)(
      '/usr/bin/ssh',
      [...THROWAWAY_HOST_OPTIONS, ...argv.slice(1)],
      {
        timeout: 20_000,
      },
    );
    expect(stdout).toBe('it works\n');
  });
});
