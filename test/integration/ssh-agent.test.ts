import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors';
import { SshService, type SshTarget } from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';

const run = promisify(execFile);

let dir: string;
let agent: ChildProcess | null = null;
let agentSocket: string;
let sshd: SshdContainer;
let target: SshTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-agent-'));
  // A key that only the agent holds: the container trusts it and not the app's own key.
  const keyFile = join(dir, 'agent_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'agent-only', '-f', keyFile]);
  agentSocket = join(dir, 'agent.sock');
  // -D keeps the agent in the foreground, so it is our child and is ended by its pid.
  agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  await waitUntil(() => existsSync(agentSocket), 10_000, 'the ssh-agent socket');
  await run('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
  const publicKey = (await readFile(`${keyFile}.pub`, 'utf8')).trim();
  sshd = await startSshdContainer({ authorizedKeys: [publicKey], readinessKey: await readFile(keyFile) });
  target = { host: sshd.host, port: sshd.port, user: sshd.user };
});

afterAll(async () => {
  if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
  await sshd?.remove();
  await rm(dir, { recursive: true, force: true });
});

describe('ssh-agent authentication against a real sshd', () => {
  it('logs in with a key held only by the agent named in SSH_AUTH_SOCK', async () => {
    const ssh = new SshService({ dataDir: join(dir, 'with-agent'), env: { SSH_AUTH_SOCK: agentSocket } });
    try {
      const info = await ssh.connect(target);
      expect(info.state).toBe('up');
      expect(info.authMethod).toBe('agent');
      const result = await ssh.exec(target, ['whoami']);
      expect(result.stdout.trim()).toBe('root');
    } finally {
      await ssh.dispose();
    }
  });

  it('fails with SSH_AUTH, without retrying, when neither the agent nor the app key is accepted', async () => {
    const ssh = new SshService({ dataDir: join(dir, 'without-agent'), env: {} });
    try {
      const err = await ssh.connect(target).then(
        () => null,
        (e: unknown) => AppError.from(e),
      );
      expect(err?.code).toBe('SSH_AUTH');
      expect(err?.message).toMatch(/authorized_keys/);
      expect(ssh.connections()).toHaveLength(0);
    } finally {
      await ssh.dispose();
    }
  });
});
