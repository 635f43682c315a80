import { Client, type PublicKeyAuthMethod } from 'ssh2';
import { connectNoDelay } from '../ssh';
import { Wakeup } from './wakeup';

export interface HandshakeOptions {
  host: string;
  port: number;
  username: string;
  /** Overall deadline for all attempts (ms). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** First pause between attempts (ms); it grows by half each time, up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * Woken when sshd is known to listen (the launch script says so): the next attempt is made at once
   * and the pause starts small again.
   */
  wakeup?: Wakeup;
}

/**
 * Waits until an SSH handshake succeeds: the run's "ready" as the product defines it (and as the
 * floor of bench/ready-vs-floor measures it). No key is offered: authentication would add two round
 * trips and sshd's account checks to every start (about 35 ms while the boot competes for the CPU),
 * and a key sshd refuses is reported where it matters, by `tstudio smoke` (trySshLogin) and by every
 * terminal or tunnel (SSH_AUTH). sshd needs a moment after the container starts (the first TCP
 * connect can be accepted by docker-proxy and closed at once), so every failure before the deadline
 * is retried. Resolves with the number of attempts.
 */
export async function waitForSshHandshake(
  opts: HandshakeOptions,
): Promise<{ attempts: number; lastError: string | null; ok: boolean }> {
  const deadline = Date.now() + opts.timeoutMs;
  const wakeup = opts.wakeup ?? new Wakeup();
  const firstDelay = opts.retryDelayMs ?? 25;
  const maxDelay = opts.maxRetryDelayMs ?? 250;
  let delay = firstDelay;
  let attempts = 0;
  let lastError: string | null = null;
  while (Date.now() < deadline) {
    if (opts.signal?.aborted) break;
    attempts++;
    const remaining = Math.max(500, deadline - Date.now());
    const result = await attempt(opts, null, Math.min(remaining, 5000));
    if (result === true) return { attempts, lastError: null, ok: true };
    lastError = result;
    // Short pauses while sshd is about to come up, longer ones for an image that boots slowly.
    const woken = await wakeup.pause(delay, opts.signal);
    delay = woken ? firstDelay : Math.min(maxDelay, Math.round(delay * 1.5));
  }
  return { attempts, lastError, ok: false };
}

/** One SSH login with a key (handshake and publickey authentication): true, or why it failed. */
export function trySshLogin(
  opts: { host: string; port: number; username: string; privateKey: Buffer | string },
  readyTimeout = 10_000,
): Promise<true | string> {
  return attempt(opts, opts.privateKey, readyTimeout);
}

/** A handshake (privateKey null: done at the handshake) or a login (done once the key is accepted). */
function attempt(
  opts: { host: string; port: number; username: string },
  privateKey: Buffer | string | null,
  readyTimeout: number,
): Promise<true | string> {
  return new Promise((resolve) => {
    const client = new Client();
    let settled = false;
    const done = (value: true | string) => {
      if (settled) return;
      settled = true;
      client.end();
      resolve(value);
    };
    if (privateKey === null) client.once('handshake', () => done(true));
    else client.once('ready', () => done(true));
    // ssh2 can emit several errors for one failed attempt (protocol, then socket): keep listening.
    client.on('error', (err) => done(err.message));
    client.on('close', () => done('connection closed'));
    const publicKeyAuth: PublicKeyAuthMethod | null =
      privateKey === null ? null : { type: 'publickey', username: opts.username, key: privateKey };
    connectNoDelay(client, {
      host: opts.host,
      port: opts.port,
      username: opts.username,
      // Straight to the key: ssh2 otherwise asks with method "none" first, one more round trip
      // through sshd's monitor. A handshake offers nothing (it ends before authentication).
      authHandler: publicKeyAuth ? [publicKeyAuth] : () => false,
      readyTimeout,
      // A local run's host keys are made fresh in each container, on 127.0.0.1: nothing to pin.
      hostVerifier: () => true,
    });
  });
}
