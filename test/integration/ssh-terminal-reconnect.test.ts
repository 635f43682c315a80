import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalEvents } from '../../src/shared/contract/terminals';
import { createTerminalHandlers, forwardTerminalEvents } from '../../src/main/handlers/terminals';
import { SshService, type SshTarget } from '../../src/main/services/ssh';
import { startSshdContainer, type SshdContainer } from './helpers/sshd-container';

let dataDir: string;
let sshd: SshdContainer;
let target: SshTarget;
const services: SshService[] = [];

/** A service with fast retries (the backoff schedule itself is unit-tested). */
function service(dir: string, reconnectAttempts = Infinity): SshService {
  const ssh = new SshService({
    dataDir: dir,
    env: {},
    connection: { backoff: { initialMs: 200, maxMs: 1_000, factor: 2 }, reconnectAttempts },
  });
  services.push(ssh);
  return ssh;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-terminal-reconnect-'));
  // Every service shares the data folder, hence the app key the container trusts.
  const key = await service(dataDir).keys.get();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
  target = { host: sshd.host, port: sshd.port, user: sshd.user };
});

afterAll(async () => {
  for (const s of services) await s.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

/** The contract's view of a terminal: calls through the handlers, events checked against their schemas. */
function contractView(ssh: SshService) {
  const handlers = createTerminalHandlers({ ssh });
  const events: { name: string; payload: { id: string } & Record<string, unknown> }[] = [];
  let text = '';
  const stop = forwardTerminalEvents(ssh, (name, payload) => {
    terminalEvents[name].payload.parse(payload);
    events.push({ name, payload });
    if (name === 'terminal:output') {
      const batch = payload as { id: string; data: string; bytes: number };
      text += batch.data;
      // The last batch of a closed terminal comes after it was forgotten: nothing left to ack.
      handlers['terminal:ack']({ id: batch.id, bytes: batch.bytes }).catch(() => undefined);
    }
  });
  return {
    handlers,
    text: () => text,
    states: (id: string) =>
      events
        .filter((e) => e.name === 'terminal:stateChanged' && e.payload.id === id)
        .map((e) => e.payload.state),
    exit: (id: string) => events.find((e) => e.name === 'terminal:exited' && e.payload.id === id)?.payload,
    stop,
  };
}

describe('a terminal whose SSH connection drops', () => {
  it('says so, refuses input, and streams a fresh shell of the same size into the same terminal when sshd is back', async () => {
    const ssh = service(dataDir);
    const view = contractView(ssh);
    const { handlers } = view;
    const opened = await handlers['terminal:open']({
      via: 'ssh',
      target,
      rows: 24,
      cols: 80,
      term: 'xterm-256color',
    });
    const id = opened.id;
    expect(opened.state).toBe('open');
    await handlers['terminal:write']({ id, data: 'echo first-$((40 + 2))\r' });
    await expect.poll(view.text, { timeout: 15_000 }).toMatch(/first-42\r\n/);

    await sshd.stopSshd();
    await expect.poll(() => view.states(id), { timeout: 30_000 }).toEqual(['reconnecting']);
    expect(view.text()).toContain('[connection lost — reconnecting…]');
    const listed = (await handlers['terminals:list']({})).find((t) => t.id === id);
    expect(listed?.state).toBe('reconnecting');
    await expect(handlers['terminal:write']({ id, data: 'lost\r' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/not sent/),
    });
    // A resize while away is remembered: the new shell opens with it.
    await handlers['terminal:resize']({ id, rows: 33, cols: 101 });

    await sshd.startSshd();
    await expect.poll(() => view.states(id), { timeout: 30_000 }).toEqual(['reconnecting', 'open']);
    expect(view.text()).toContain('[reconnected]');
    await expect
      .poll(
        async () => {
          // The new shell may still be starting: write again until its answer shows.
          await handlers['terminal:write']({ id, data: 'stty size; echo back-$((2 + 3))\r' });
          return view.text();
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toMatch(/33 101\r\nback-5\r\n/);

    const replay = await handlers['terminal:replay']({ id });
    expect(replay.state).toBe('open');
    expect(replay.data).toMatch(/first-42[\s\S]*connection lost[\s\S]*\[reconnected\][\s\S]*back-5/);
    expect(view.exit(id)).toBeUndefined();
    await handlers['terminal:close']({ id });
    await expect.poll(() => view.exit(id)?.reason, { timeout: 15_000 }).toBe('closed');
    view.stop();
  });

  it('ends with connection-lost when the connection gives up for good', async () => {
    await sshd.startSshd();
    const ssh = service(dataDir, 2);
    const view = contractView(ssh);
    const { id } = await view.handlers['terminal:open']({
      via: 'ssh',
      target,
      rows: 24,
      cols: 80,
      term: 'xterm-256color',
    });
    await sshd.stopSshd();
    await expect.poll(() => view.exit(id), { timeout: 30_000 }).toMatchObject({ reason: 'connection-lost' });
    expect(view.states(id)).toEqual(['reconnecting', 'exited']);
    expect(view.text()).toMatch(/connection lost for good/);
    await expect(view.handlers['terminal:write']({ id, data: 'x' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await sshd.startSshd();
    view.stop();
  });
});
