import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RECEIVE_WINDOW_BYTES,
  SshService,
  receiveWindowOf,
  widenReceiveWindow,
} from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';

// The wider receive window (receive-window.ts) reaches into ssh2's channel internals. This checks,
// against a real OpenSSH sshd, that the grant is honoured, that a reader that stops holds no more
// than the window, and that every byte arrives in order; it fails if a new ssh2 moves the internals.

const SENDER_PORT = 9100;
const TOTAL = 24 * 1024 * 1024;
// Sends TOTAL bytes of a repeating 0..250 pattern to each connection (251 is prime: a shifted or
// dropped chunk changes the hash).
const SENDER = `
import socket
block = bytes(i % 251 for i in range(251 * 4096))
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', ${SENDER_PORT}))
srv.listen(4)
while True:
    c, _ = srv.accept()
    left = ${TOTAL}
    while left > 0:
        n = c.send(block[: min(left, len(block))])
        left -= n
        block = block[n:] + block[:n]
    c.close()
`;

function expectedHash(): string {
  const block = Buffer.from(Array.from({ length: 251 * 4096 }, (_, i) => i % 251));
  const hash = createHash('sha256');
  let left = TOTAL;
  let offset = 0;
  while (left > 0) {
    const n = Math.min(left, block.length - offset);
    hash.update(block.subarray(offset, offset + n));
    left -= n;
    offset = (offset + n) % block.length;
  }
  return hash.digest('hex');
}

let dataDir: string;
let sshd: SshdContainer;
let client: Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-window-'));
  const ssh = new SshService({ dataDir, env: {} });
  const key = await ssh.keys.get();
  await ssh.dispose();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
  await sshd.spawn(['python3', '-c', SENDER]);
  client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: key.privateKey });
  });
});

afterAll(async () => {
  client?.end();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

function forward(): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, '127.0.0.1', SENDER_PORT, (err, channel) =>
      err ? reject(err) : resolve(channel),
    ),
  );
}

describe('a widened receive window against a real sshd', () => {
  it('is honoured, holds at most the window for a stopped reader, and delivers every byte in order', async () => {
    let channel: ClientChannel | null = null;
    await waitUntil(
      async () => {
        // The sender may still be starting: a refused forward is retried.
        channel = await forward().catch(() => null);
        return channel !== null;
      },
      10_000,
      'a forward to the sender in the container',
    );
    const ch = channel as unknown as ClientChannel;
    ch.pause();
    expect(widenReceiveWindow(ch)).toBe(true);
    ch.pause(); // the 'data' listener set it flowing
    expect(receiveWindowOf(ch)).toBe(RECEIVE_WINDOW_BYTES);
    // What sshd sent before the widening is already counted against ssh2's own window.
    const arrivedBefore = ch.readableLength;

    // sshd fills the whole window (four times ssh2's own 2 MiB) and then stops: nothing was read.
    await waitUntil(() => receiveWindowOf(ch) === 0, 15_000, 'sshd to fill the window');
    expect(ch.readableLength).toBe(arrivedBefore + RECEIVE_WINDOW_BYTES);

    // Read on, stop again halfway: once sshd has stopped, what waits is at most the window plus
    // the 2 MiB ssh2 grants by itself when a paused reader resumes.
    const hash = createHash('sha256');
    let received = 0;
    let stoppedAgain = false;
    const ended = new Promise<void>((resolve, reject) => {
      ch.once('end', () => resolve());
      ch.once('error', reject);
    });
    ch.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      received += chunk.length;
      if (!stoppedAgain && received >= TOTAL / 2) {
        stoppedAgain = true;
        ch.pause();
      }
    });
    ch.resume();
    await waitUntil(() => stoppedAgain && receiveWindowOf(ch) === 0, 15_000, 'sshd to fill the window again');
    expect(ch.readableLength).toBeGreaterThan(0);
    expect(ch.readableLength).toBeLessThanOrEqual(RECEIVE_WINDOW_BYTES + 2 * 1024 * 1024);
    ch.resume();
    await ended;
    expect(received).toBe(TOTAL);
    expect(hash.digest('hex')).toBe(expectedHash());
  });
});
