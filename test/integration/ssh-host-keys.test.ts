import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshCalls as connectionCalls } from '../../src/shared/contract/ssh';
import { tunnelCalls } from '../../src/shared/contract/tunnels';
import { AppError } from '../../src/shared/errors';
import { createSshHandlers } from '../../src/main/handlers/ssh';
import { createTunnelHandlers } from '../../src/main/handlers/tunnels';

const sshCalls = { ...connectionCalls, ...tunnelCalls };
type SshHandlers = ReturnType<typeof createSshHandlers> & ReturnType<typeof createTunnelHandlers>;
import { SshService, type SshTarget } from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';

let dataDir: string;
let ssh: SshService;
let handlers: SshHandlers;
let sshd: SshdContainer;
let target: SshTarget;
let address: string;
let strict: SshService;

/** Calls a handler the way the dispatcher does: input parsed by the contract, output checked by it. */
async function invoke<K extends keyof SshHandlers>(
  name: K,
  input: unknown,
): Promise<Awaited<ReturnType<SshHandlers[K]>>> {
  const args = sshCalls[name].input.parse(input);
  const output = await (handlers[name] as (a: unknown) => Promise<unknown>)(args);
  return sshCalls[name].output.parse(output) as Awaited<ReturnType<SshHandlers[K]>>;
}

async function connectError(input: unknown): Promise<AppError> {
  try {
    await invoke('ssh:connect', input);
  } catch (err) {
    return AppError.from(err);
  }
  throw new Error('ssh:connect succeeded but was expected to fail');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-hostkeys-'));
  ssh = new SshService({
    dataDir,
    env: {},
    connection: { backoff: { initialMs: 200, maxMs: 2_000, factor: 2 } },
  });
  handlers = { ...createSshHandlers({ ssh }), ...createTunnelHandlers({ ssh }) };
  // A second app (own data folder, own key) that never trusts a new host by itself.
  strict = new SshService({ dataDir: join(dataDir, 'strict'), env: {}, hostKeyPolicy: () => 'strict' });
  const key = await ssh.keys.get();
  const strictKey = await strict.keys.get();
  sshd = await startSshdContainer({
    authorizedKeys: [key.publicKey, strictKey.publicKey],
    readinessKey: key.privateKey,
  });
  target = { host: sshd.host, port: sshd.port, user: sshd.user };
  address = `root@127.0.0.1:${sshd.port}`;
});

afterAll(async () => {
  await ssh?.dispose();
  await strict?.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

describe('host keys against a real sshd', () => {
  it('refuses an unknown key under the strict policy, naming its fingerprint', async () => {
    try {
      const err = await strict.connect(target).then(
        () => null,
        (e: unknown) => AppError.from(e),
      );
      expect(err?.code).toBe('SSH_HOST_KEY_UNKNOWN');
      expect(err?.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
      // The UI's way through: accept the fingerprint it was shown, then connect.
      const fingerprint = (err?.details as { fingerprint: string }).fingerprint;
      await strict.acceptHostKey(target.host, target.port, fingerprint);
      expect((await strict.connect(target)).state).toBe('up');
    } finally {
      strict.disconnect(target);
    }
  });

  it('accepts a new host on first use, then refuses a changed key until it is accepted deliberately', async () => {
    const info = await invoke('ssh:connect', { target: address });
    expect(info.state).toBe('up');
    const [remembered] = await invoke('ssh:hostKeys', {});
    expect(remembered).toMatchObject({
      host: '127.0.0.1',
      port: sshd.port,
      keyType: expect.stringMatching(/^ssh-|^ecdsa-/),
    });

    // A tunnel that is up when the machine is rebuilt must not silently trust the new key.
    const tunnel = await invoke('tunnels:open', { target: address, remotePort: 9, localPort: 0 });
    expect(tunnel.state).toBe('up');

    await sshd.stopSshd();
    await sshd.regenerateHostKeys();
    await sshd.startSshd();

    await waitUntil(
      () => ssh.tunnels.get(tunnel.id).state === 'failed',
      30_000,
      'the tunnel to fail on the changed key',
    );
    expect(ssh.tunnels.get(tunnel.id).snapshot().error?.code).toBe('SSH_HOST_KEY_MISMATCH');
    expect(ssh.connections()[0]?.state).toBe('failed');
    await invoke('tunnels:close', { id: tunnel.id });
    await invoke('ssh:disconnect', { target: address });

    const err = await connectError({ target: address });
    expect(err.code).toBe('SSH_HOST_KEY_MISMATCH');
    const details = err.details as { remembered: string; presented: string };
    expect(details.remembered).toBe(remembered?.fingerprint);
    expect(details.presented).not.toBe(details.remembered);
    expect(err.message).toContain(details.remembered);
    expect(err.message).toContain(details.presented);

    const accepted = await invoke('ssh:acceptHostKey', {
      host: '127.0.0.1',
      port: sshd.port,
      fingerprint: details.presented,
    });
    expect(accepted.fingerprint).toBe(details.presented);
    expect((await invoke('ssh:connect', { target: address })).state).toBe('up');
    const [now] = await invoke('ssh:hostKeys', {});
    expect(now?.fingerprint).toBe(details.presented);
    expect(now?.keyType).not.toBe('unknown');
    await invoke('ssh:disconnect', { target: address });
  });

  it("switches Vast's tmux auto-attach with ~/.no_auto_tmux", async () => {
    expect(await invoke('ssh:autoTmux', { target: address })).toEqual({ enabled: true });
    await invoke('ssh:setAutoTmux', { target: address, enabled: false });
    expect((await sshd.exec(['test', '-e', '/root/.no_auto_tmux'])).exitCode).toBe(0);
    expect(await invoke('ssh:autoTmux', { target: address })).toEqual({ enabled: false });
    await invoke('ssh:setAutoTmux', { target: address, enabled: true });
    expect((await sshd.exec(['test', '-e', '/root/.no_auto_tmux'])).exitCode).toBe(1);
  });

  it('gives the copy-paste OpenSSH command through the contract', async () => {
    const { command } = await invoke('ssh:command', {
      target: address,
      forwards: [{ localPort: 8080, remotePort: 8080 }],
    });
    expect(command).toContain(`-p ${sshd.port}`);
    expect(command).toContain('-L 127.0.0.1:8080:127.0.0.1:8080');
    expect(command).toContain(join(dataDir, 'ssh', 'id_ed25519'));
  });
});
