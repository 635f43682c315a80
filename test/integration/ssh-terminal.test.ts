import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshService, type ShellExit, type ShellOutput, type SshTarget } from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';

let dataDir: string;
let ssh: SshService;
let sshd: SshdContainer;
let target: SshTarget;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-terminal-'));
  ssh = new SshService({ dataDir, env: {} });
  const key = await ssh.keys.get();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
  target = { host: sshd.host, port: sshd.port, user: sshd.user };
});

afterAll(async () => {
  await ssh?.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

/** A view: collects a terminal's output and acknowledges it as it arrives. */
function watch(id: string) {
  let text = '';
  let exit: ShellExit | null = null;
  const onOutput = (from: string, output: ShellOutput) => {
    if (from !== id) return;
    text += output.data;
    ssh.terminals.get(id).ack(output.bytes);
  };
  const onExit = (from: string, e: ShellExit) => {
    if (from === id) exit = e;
  };
  ssh.terminals.on('output', onOutput);
  ssh.terminals.on('exit', onExit);
  return {
    text: () => text,
    exit: () => exit,
    until: (pattern: RegExp, what: string) =>
      waitUntil(
        () => pattern.test(text),
        15_000,
        () => `${what}; output so far: ${JSON.stringify(text.slice(-500))}`,
      ),
    stop: () => {
      ssh.terminals.off('output', onOutput);
      ssh.terminals.off('exit', onExit);
    },
  };
}

describe('SSH terminal against a real sshd', () => {
  it('trusts the host key on first use and remembers its SHA256 fingerprint', async () => {
    const snapshot = await ssh.connect(target);
    expect(snapshot.state).toBe('up');
    expect(snapshot.authMethod).toBe('publickey');
    const hosts = await ssh.listKnownHosts();
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ host: '127.0.0.1', port: sshd.port });
    expect(hosts[0]?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const printed = await sshd.exec([
      'sh',
      '-c',
      'for f in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -l -E sha256 -f "$f"; done',
    ]);
    expect(printed.stdout).toContain(hosts[0]?.fingerprint);
    ssh.disconnect(target);
  });

  it('echoes input in a PTY shell and reports the exit code of the shell', async () => {
    const terminal = await ssh.terminals.open(target, { rows: 24, cols: 80 });
    const view = watch(terminal.id);
    const session = ssh.terminals.get(terminal.id);
    session.write('echo "hello from $((6 * 7))"\r');
    await view.until(/hello from 42/, 'the echoed command output');
    session.write('exit 3\r');
    await waitUntil(() => view.exit() !== null, 15_000, 'the shell to exit');
    expect(view.exit()).toMatchObject({ exitCode: 3, reason: 'exited' });
    view.stop();
  });

  it('sends a resize that stty size sees', async () => {
    const terminal = await ssh.terminals.open(target, { rows: 24, cols: 80 });
    const view = watch(terminal.id);
    const session = ssh.terminals.get(terminal.id);
    session.write('stty size\r');
    await view.until(/\b24 80\r\n/, 'stty size to print 24 80');
    session.resize(40, 132);
    session.write('stty size\r');
    await view.until(/\b40 132\r\n/, 'stty size to print 40 132 after the resize');
    ssh.terminals.close(terminal.id);
    await waitUntil(() => view.exit() !== null, 15_000, 'the closed shell to end');
    expect(view.exit()?.reason).toBe('closed');
    view.stop();
  });

  it('replays the scrollback to a view that comes back', async () => {
    const terminal = await ssh.terminals.open(target);
    const view = watch(terminal.id);
    const session = ssh.terminals.get(terminal.id);
    session.write('echo before-leaving\r');
    await view.until(/before-leaving\r\n/, 'the first output');
    view.stop();
    session.detach();
    session.write('echo while-away\r');
    await waitUntil(
      () => session.stats().totalBytes > 0 && /while-away\r\n/.test(session.replay().data),
      15_000,
      'output while detached',
    );
    const replay = session.replay();
    expect(replay.data).toContain('before-leaving');
    expect(replay.data).toContain('while-away');
    expect(replay.endOffset).toBe(session.stats().totalBytes);
    ssh.terminals.close(terminal.id);
  });

  it('runs argv over exec with quoting, separate streams and the exit code', async () => {
    const tricky = 'a b; echo injected';
    const result = await ssh.exec(target, [
      'sh',
      '-c',
      'printf "%s" "$1"; echo oops >&2; exit 7',
      'sh',
      tricky,
    ]);
    expect(result.stdout).toBe(tricky);
    expect(result.stderr).toBe('oops\n');
    expect(result.exitCode).toBe(7);
  });

  it('cancels a running exec through its AbortSignal', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = ssh.exec(target, ['sleep', '30'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('probes live connections on demand (resume from sleep) and keeps the healthy ones', async () => {
    await ssh.connect(target);
    const upSince = ssh.connections()[0]?.upSince;
    await ssh.checkConnections();
    expect(ssh.connections()[0]?.state).toBe('up');
    expect(ssh.connections()[0]?.upSince).toBe(upSince);
    ssh.disconnect(target);
  });

  it('shares one connection per host, port and user and closes it with its last user', async () => {
    // Terminals closed by earlier tests let go of their lease when their channel has closed.
    await waitUntil(() => ssh.connections().length === 0, 10_000, 'earlier terminals to end');
    const a = await ssh.terminals.open(target);
    const b = await ssh.terminals.open(target);
    expect(ssh.connections()).toHaveLength(1);
    expect(ssh.connections()[0]?.users).toBe(2);
    ssh.terminals.close(a.id);
    ssh.terminals.close(b.id);
    await waitUntil(() => ssh.connections().length === 0, 10_000, 'the pooled connection to be let go');
  });
});
