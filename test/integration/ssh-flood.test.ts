import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalCalls, terminalEvents } from '../../src/shared/contract/terminals';
import {
  createTerminalHandlers,
  forwardTerminalEvents,
  type TerminalEventEmitter,
  type TerminalHandlers,
} from '../../src/main/handlers/terminals';
import { DEFAULT_SHELL_OPTIONS, SshService } from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';

let dataDir: string;
let ssh: SshService;
let handlers: TerminalHandlers;
let sshd: SshdContainer;
let stopForwarding: () => void;
const listeners = new Set<(name: string, payload: unknown) => void>();

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-flood-'));
  ssh = new SshService({ dataDir, env: {} });
  handlers = createTerminalHandlers({ ssh });
  const emit: TerminalEventEmitter = (name, payload) => {
    for (const l of listeners) l(name, payload);
  };
  stopForwarding = forwardTerminalEvents(ssh, emit);
  const key = await ssh.keys.get();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
});

afterAll(async () => {
  stopForwarding?.();
  await ssh?.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

async function invoke<K extends keyof TerminalHandlers>(
  name: K,
  input: unknown,
): Promise<Awaited<ReturnType<TerminalHandlers[K]>>> {
  const args = terminalCalls[name].input.parse(input);
  return terminalCalls[name].output.parse(
    await (handlers[name] as (a: unknown) => Promise<unknown>)(args),
  ) as Awaited<ReturnType<TerminalHandlers[K]>>;
}

describe('a 50 MB flood of terminal output with a slow view', () => {
  it('keeps main bounded (scrollback, unacknowledged and pending bytes), pauses the stream, and still echoes input afterwards', async () => {
    const terminal = await invoke('terminal:open', {
      target: `root@127.0.0.1:${sshd.port}`,
      rows: 50,
      cols: 200,
    });
    const id = terminal.id;
    const session = ssh.terminals.get(id);

    // The slow view: it takes what arrives and acknowledges at most 512 KiB every 40 ms (~13 MB/s,
    // slower than the flood), so main's window fills and the stream must pause.
    let tail = '';
    let received = 0;
    let unackedByView = 0;
    let checkedEvents = 0;
    listeners.add((name, payload) => {
      if (name !== 'terminal:output') return;
      if (checkedEvents++ < 20) terminalEvents['terminal:output'].payload.parse(payload);
      const output = payload as { id: string; data: string; bytes: number };
      if (output.id !== id) return;
      received += output.bytes;
      unackedByView += output.bytes;
      tail = (tail + output.data).slice(-4096);
    });
    const acker = setInterval(() => {
      const bytes = Math.min(unackedByView, 512 * 1024);
      unackedByView -= bytes;
      if (bytes > 0) void invoke('terminal:ack', { id, bytes });
    }, 40);

    let maxScrollback = 0;
    let maxInFlight = 0;
    let sawPaused = false;
    const sampler = setInterval(() => {
      const s = session.stats();
      maxScrollback = Math.max(maxScrollback, s.scrollbackBytes);
      maxInFlight = Math.max(maxInFlight, s.unackedBytes + s.pendingBytes);
      sawPaused ||= s.paused;
    }, 5);
    const rssBefore = process.memoryUsage().rss;

    try {
      await waitUntil(() => /\$ $|# $/.test(tail), 15_000, 'the prompt');
      // The marker is computed by the shell, so the echoed command line itself never matches it.
      await invoke('terminal:write', {
        id,
        data: 'head -c 50000000 /dev/urandom | base64 -w 0; echo; echo "FLOOD-$((40 + 2))-DONE"\r',
      });
      await waitUntil(
        () => tail.includes('FLOOD-42-DONE'),
        120_000,
        () => `the end of the flood (received ${received} bytes)`,
      );
    } finally {
      clearInterval(sampler);
      clearInterval(acker);
    }
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    console.log(
      `flood: received ${(received / 1e6).toFixed(1)} MB; max scrollback ${maxScrollback} B; max unacked+pending ${maxInFlight} B; paused seen ${sawPaused}; rss growth ${(rssGrowth / 1e6).toFixed(1)} MB`,
    );

    // base64 of 50,000,000 bytes is 66,666,668 characters.
    expect(received).toBeGreaterThan(66_666_668);
    expect(maxScrollback).toBeLessThanOrEqual(DEFAULT_SHELL_OPTIONS.scrollbackBytes);
    expect(maxInFlight).toBeLessThanOrEqual(
      DEFAULT_SHELL_OPTIONS.highWaterBytes + DEFAULT_SHELL_OPTIONS.coalesceBytes + 64 * 1024,
    );
    expect(sawPaused).toBe(true);
    // Loose on purpose (RSS includes V8's own heap growth); the counters above are the real bound.
    expect(rssGrowth).toBeLessThan(300 * 1024 * 1024);

    const replay = await invoke('terminal:replay', { id });
    expect(replay.truncated).toBe(true);
    expect(replay.data.length).toBeLessThanOrEqual(DEFAULT_SHELL_OPTIONS.scrollbackBytes);
    expect(replay.data).toContain('FLOOD-42-DONE');

    // Input still echoes: the terminal is alive and responsive after the flood.
    tail = '';
    listeners.add((name, payload) => {
      const output = payload as { id: string; bytes: number };
      if (name === 'terminal:output' && output.id === id)
        void invoke('terminal:ack', { id, bytes: output.bytes });
    });
    await invoke('terminal:write', { id, data: 'echo "still-$((2 + 3))-alive"\r' });
    await waitUntil(
      () => tail.includes('still-5-alive'),
      15_000,
      () => `the echo after the flood; tail ${JSON.stringify(tail.slice(-300))}`,
    );
    await invoke('terminal:close', { id });
  });
});
