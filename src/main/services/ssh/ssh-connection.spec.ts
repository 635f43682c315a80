import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppKeyStore } from './app-key';
import { KnownHosts } from './known-hosts';
import { SshConnection, type ConnectionSnapshot } from './ssh-connection';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tstudio-conn-'));
  // Made up front so no test ends while the key is still being written.
  await new AppKeyStore(dir).get();
});
afterEach(async () => {
  // A connection attempt may still be writing the app key when a test ends: retry the removal.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
});

function auth() {
  const keys = new AppKeyStore(dir);
  return {
    appKey: () => keys.get(),
    knownHosts: new KnownHosts(join(dir, 'kh.json')),
    hostKeyPolicy: 'accept-new' as const,
  };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('SshConnection', () => {
  it('tries a few times with backoff before the first success, then fails with SSH_CONNECT', async () => {
    const port = await closedPort();
    const connection = new SshConnection({ host: '127.0.0.1', port, user: 'root' }, auth(), {
      initialAttempts: 3,
      backoff: { initialMs: 20, maxMs: 100, factor: 2 },
    });
    const states: ConnectionSnapshot[] = [];
    connection.on('state', (s: ConnectionSnapshot) => states.push(s));
    await expect(connection.whenUp()).rejects.toMatchObject({
      code: 'SSH_CONNECT',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(states.map((s) => s.state)).toEqual([
      'connecting',
      'retrying',
      'retrying',
      'retrying',
      'retrying',
      'failed',
    ]);
    // Each retry announces when it will happen.
    expect(states.filter((s) => s.nextAttemptAt !== null)).toHaveLength(2);
    connection.close();
  });

  it('gives up waiting (but not trying) when a peer never completes the handshake', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const { port } = silent.address() as { port: number };
    const connection = new SshConnection({ host: '127.0.0.1', port, user: 'root' }, auth(), {
      readyTimeoutMs: 5_000,
      waitTimeoutMs: 300,
    });
    try {
      await expect(connection.whenUp()).rejects.toMatchObject({
        code: 'SSH_CONNECT',
        message: expect.stringMatching(/could not be reached within/),
      });
      expect(['connecting', 'retrying']).toContain(connection.state);
    } finally {
      connection.close();
      silent.close();
    }
  });

  it('honours an AbortSignal while waiting', async () => {
    const port = await closedPort();
    const connection = new SshConnection({ host: '127.0.0.1', port, user: 'root' }, auth(), {
      backoff: { initialMs: 10_000, maxMs: 10_000, factor: 1 },
    });
    const controller = new AbortController();
    const waiting = connection.whenUp(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    connection.close();
    expect(connection.state).toBe('idle');
  });
});
