import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerExecTransport,
  parseSupervisorctlStatus,
  type SupervisorSnapshot,
} from '../../src/main/services/supervisor';
import { trySshLogin, type RunReady } from '../../src/main/services/launch';
import { runStatus } from '../../src/main/cli/commands/status';
import { DEMO_TEMPLATE_DIR, demoHarness, waitFor, type DemoHarness } from './helpers/demo-image';
import { opensshArgs } from './helpers/openssh-args';

/** The stock OpenSSH client, as a user would type it. */
function openSsh(
  h: DemoHarness,
  port: number,
  command: string[],
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    ...opensshArgs(h.key.identityFile, port, ['-o', 'ConnectTimeout=10', ...extra]),
    'root@127.0.0.1',
    ...command,
  ];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 255
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** An interactive login (`ssh -tt` with no command) that types `lines`, as a person at a terminal would. */
function interactiveSsh(h: DemoHarness, port: number, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-tt', ...opensshArgs(h.key.identityFile, port), 'root@127.0.0.1']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`interactive ssh did not end; output so far:\n${out}`));
    }, 30_000);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    child.stdin.write(lines.map((l) => `${l}\n`).join(''));
  });
}

/** docker exec, independent of the service under test's own status code paths. */
async function exec(h: DemoHarness, id: string, argv: string[]): Promise<string> {
  return (await new DockerExecTransport(h.docker, id).exec(argv)).stdout;
}

describe('local run in ssh mode (demo template)', () => {
  let h: DemoHarness;
  let ready: RunReady;
  let id: string;
  let sshPort: number;

  beforeAll(async () => {
    h = await demoHarness();
    ready = await h.runs.start({
      source: DEMO_TEMPLATE_DIR,
      mode: 'ssh',
      buildTag: h.image,
      readyTimeoutMs: 90_000,
    });
    id = ready.run.containerId;
    sshPort = ready.run.ssh!.port;
  });
  afterAll(async () => h?.cleanup());

  it('is ready with SSH on the published port, and says it is CPU-only', () => {
    expect(ready.run.state).toBe('running');
    expect(ready.run.mode).toBe('ssh');
    expect(ready.run.ssh).toEqual({
      host: '127.0.0.1',
      port: ready.run.ports['22/tcp'],
      user: 'root',
      identityFile: h.key.identityFile,
    });
    expect(Object.keys(ready.run.ports).sort()).toEqual(['22/tcp', '8000/tcp', '8080/tcp']);
    expect(ready.readyMs).toBeGreaterThan(0);
    expect(ready.warnings.join(' ')).toMatch(/CPU-only/);
  });

  it('takes the app key at ready (ready itself is a handshake) and refuses a key it was not given', async () => {
    const login = { host: '127.0.0.1', port: ready.run.ports['22/tcp']!, username: 'root' };
    expect(await trySshLogin({ ...login, privateKey: await readFile(h.key.identityFile) })).toBe(true);
    const stranger = utils.generateKeyPairSync('ed25519').private;
    expect(await trySshLogin({ ...login, privateKey: stranger })).toMatch(/authentication methods failed/i);
  });

  it('lets the OpenSSH client log in with the app key and run a command (no tmux in the way)', async () => {
    const r = await openSsh(h, sshPort, [
      'echo',
      'hello-from-$(hostname)',
      ';',
      'cat',
      '/.launch',
      ';',
      'echo',
      'TMUX=${TMUX:-none}',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hello-from-\w+/);
    expect(r.stdout).toContain('ssh mode');
    expect(r.stdout.toLowerCase()).not.toContain('jupyter');
    expect(r.stdout).toContain('TMUX=none');
  });

  it('puts interactive logins into tmux, and not after touch ~/.no_auto_tmux', async () => {
    const inTmux = await interactiveSsh(h, sshPort, ['echo "tmux-check:${TMUX:-none}:end"', 'exit']);
    expect(inTmux).toMatch(/tmux-check:\/tmp\/tmux-0\/\S+:end/);
    await exec(h, id, ['touch', '/root/.no_auto_tmux']);
    const plain = await interactiveSsh(h, sshPort, ['echo "tmux-check:${TMUX:-none}:end"', 'exit']);
    expect(plain).toContain('tmux-check:none:end');
    await exec(h, id, ['rm', '-f', '/root/.no_auto_tmux']);
  });

  it('names the host keys the OpenSSH client sees', async () => {
    const keys = await h.runs.hostKeys(id);
    expect(keys.some((k) => k.startsWith('ssh-ed25519 '))).toBe(true);
    const scanned = await new Promise<string>((resolve) =>
      execFile(
        'ssh-keyscan',
        ['-t', 'ed25519', '-p', String(sshPort), '127.0.0.1'],
        { timeout: 20_000 },
        (_err, stdout) => resolve(stdout),
      ),
    );
    const seen = scanned
      .split('\n')
      .find((l) => l.includes('ssh-ed25519'))
      ?.split(' ')
      .slice(1, 3)
      .join(' ');
    expect(keys).toContain(seen);
  });

  it('refuses password logins', async () => {
    const r = await openSsh(
      h,
      sshPort,
      ['true'],
      ['-o', 'PreferredAuthentications=password,keyboard-interactive', '-o', 'PubkeyAuthentication=no'],
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('puts the files Vast writes in place', async () => {
    const r = await openSsh(h, sshPort, [
      'cat',
      '/root/.vast_containerlabel',
      '/etc/banner',
      '/root/.ssh/authorized_keys',
      ';',
      'ls',
      '/root/hasbooted',
      '/root/onstart.sh',
      ';',
      'grep',
      '-c',
      'tstudio-auto-tmux',
      '/root/.bashrc',
    ]);
    expect(r.stdout).toContain(`C.${ready.run.instanceId}`);
    expect(r.stdout).toContain('Welcome to vast.ai.');
    expect(r.stdout).toContain(h.key.publicKey.split(' ')[1]);
    expect(r.stdout).toContain('/root/hasbooted');
    expect(r.stdout).toContain('/root/onstart.sh');
    expect(r.stdout.trim().split('\n').pop()).toBe('1');
    // Secrets owner-only, and the modes sshd insists on.
    const modes = await exec(h, id, [
      'stat',
      '-c',
      '%a %n',
      '/root/.ssh',
      '/root/.ssh/authorized_keys',
      '/root/.vast_api_key',
      '/run/sshd',
    ]);
    expect(modes.trim().split('\n')).toEqual([
      '700 /root/.ssh',
      '600 /root/.ssh/authorized_keys',
      '600 /root/.vast_api_key',
      '755 /run/sshd',
    ]);
    // PID 1 is still the launch script once onstart and provisioning have ended: the container lives on.
    expect((await exec(h, id, ['cat', '/proc/1/cmdline'])).split('\0')).toEqual(
      expect.arrayContaining(['/.tstudio/launch/launch.sh', 'ssh']),
    );
    const provisioned = await new DockerExecTransport(h.docker, id).exec([
      'test',
      '-e',
      '/.provisioning_complete',
    ]);
    expect(provisioned.exitCode).toBe(0);
  });

  it("runs onstart with every injected variable and the template's env", async () => {
    const pid = (await exec(h, id, ['pgrep', '-o', '-f', '/root/onstart.sh'])).trim();
    expect(pid).toMatch(/^\d+$/);
    const environ = await exec(h, id, ['cat', `/proc/${pid}/environ`]);
    const env = Object.fromEntries(
      environ
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      CONTAINER_ID: String(ready.run.instanceId),
      VAST_CONTAINERLABEL: `C.${ready.run.instanceId}`,
      GPU_COUNT: '0',
      PUBLIC_IPADDR: '127.0.0.1',
      SSH_PUBLIC_KEY: h.key.publicKey,
      DATA_DIRECTORY: '/workspace/',
      VAST_TCP_PORT_22: String(sshPort),
      VAST_TCP_PORT_8000: String(ready.run.ports['8000/tcp']),
      OPEN_BUTTON_PORT: '8000',
      PROVISIONING_SCRIPT: '/opt/demo/provisioning.sh',
      PORTAL_CONFIG: 'localhost:8000:18000:/:Demo Web App',
    });
    expect(env.CONTAINER_API_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(env.JUPYTER_TOKEN).toMatch(/^[0-9a-f]{64}$/);
    expect(env.OPEN_BUTTON_TOKEN).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows the variables to SSH sessions through /etc/environment, as Vast documents', async () => {
    const r = await openSsh(h, sshPort, [
      'head',
      '-1',
      '/etc/environment',
      ';',
      'echo',
      '$VAST_TCP_PORT_22',
      '$OPEN_BUTTON_PORT',
      '$VAST_CONTAINERLABEL',
    ]);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`# Template controlled environment for C.${ready.run.instanceId}`);
    expect(lines[1]).toBe(`${sshPort} 8000 C.${ready.run.instanceId}`);
  });

  it('reports supervisor states exactly as supervisorctl prints them, with flaky failing and extras skipped', async () => {
    const supervisor = h.runs.supervisor(id);
    const settled = await waitFor<SupervisorSnapshot>(
      'flaky FATAL and extras EXITED',
      async () => {
        const s = await supervisor.snapshot();
        const state = (n: string) => s.programs.find((p) => p.name === n)?.state;
        return state('flaky') === 'FATAL' && state('extras') === 'EXITED' && state('webapp') === 'RUNNING'
          ? s
          : undefined;
      },
      60_000,
      300,
    );
    const raw = await exec(h, id, ['supervisorctl', 'status']);
    const rawLines = raw.split('\n').filter((l) => l.trim() !== '');
    expect(rawLines).toHaveLength(settled.programs.length);
    for (const line of rawLines) {
      // Columns straight from supervisorctl's format: name padded to 33, state padded to 10.
      const name = line.slice(0, 33).trim();
      const state = line.slice(33, 43).trim();
      const program = settled.programs.find((p) => p.namespec === name);
      expect(program, `program ${name}`).toBeDefined();
      expect(program!.state).toBe(state);
      if (state !== 'RUNNING') expect(program!.description).toBe(line.slice(43).trim());
      else expect(line).toContain(`pid ${program!.pid},`);
    }
    const byName = new Map(settled.programs.map((p) => [p.name, p]));
    expect(byName.get('extras')).toMatchObject({ state: 'EXITED', skipped: true });
    expect(byName.get('flaky')).toMatchObject({
      state: 'FATAL',
      skipped: false,
      error: 'Exited too quickly (process log may have details)',
    });
    expect(byName.get('webapp')).toMatchObject({ state: 'RUNNING', skipped: false });
    expect(settled.provisioning).toBe('complete');
    expect(settled.supervisord).toBe('running');

    // `tstudio status ID --json` says the same.
    let stdout = '';
    const code = await runStatus(
      { id: ready.run.id, json: true },
      { stdout: (s) => void (stdout += s), stderr: () => undefined },
      { docker: h.docker, runs: h.runs },
    );
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      programs: { name: string; state: string; description: string; skipped: boolean }[];
      provisioning: string;
    };
    expect(json.provisioning).toBe('complete');
    expect(json.programs.find((p) => p.name === 'flaky')).toEqual({
      name: 'flaky',
      state: 'FATAL',
      description: 'Exited too quickly (process log may have details)',
      skipped: false,
    });
    expect(json.programs.find((p) => p.name === 'extras')).toMatchObject({
      name: 'extras',
      state: 'EXITED',
      skipped: true,
    });
  });

  it('shows BACKOFF while a failing program is retried, through start', async () => {
    const supervisor = h.runs.supervisor(id);
    const seen = new Set<string>();
    const control = supervisor.control('flaky', 'start');
    let finished = false;
    void control.finally(() => (finished = true));
    while (!finished && !seen.has('BACKOFF')) {
      const s = await supervisor.snapshot();
      const state = s.programs.find((p) => p.name === 'flaky')?.state;
      if (state) seen.add(state);
    }
    const result = await control;
    expect(seen.has('BACKOFF')).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/flaky: ERROR/);
  });

  it('stops, starts and restarts a program', async () => {
    const supervisor = h.runs.supervisor(id);
    expect(await supervisor.control('webapp', 'stop')).toMatchObject({ ok: true, output: 'webapp: stopped' });
    expect((await supervisor.snapshot()).programs.find((p) => p.name === 'webapp')?.state).toBe('STOPPED');
    expect(await supervisor.control('webapp', 'start')).toMatchObject({
      ok: true,
      output: 'webapp: started',
    });
    const raw = parseSupervisorctlStatus(await exec(h, id, ['supervisorctl', 'status', 'webapp']));
    expect(raw.processes[0]?.state).toBe('RUNNING');
    // A restart is a new process: supervisorctl shows another pid, RUNNING again.
    const pidBefore = raw.processes[0]?.pid;
    expect(await supervisor.control('webapp', 'restart')).toMatchObject({
      ok: true,
      output: expect.stringMatching(/webapp: stopped\s+webapp: started/),
    });
    const after = parseSupervisorctlStatus(await exec(h, id, ['supervisorctl', 'status', 'webapp']));
    expect(after.processes[0]).toMatchObject({ state: 'RUNNING' });
    expect(after.processes[0]?.pid).not.toBe(pidBefore);
  });

  it('reads program logs, the provisioning log and the portal apps', async () => {
    const supervisor = h.runs.supervisor(id);
    expect(await supervisor.tailLog('webapp', 50)).toContain('Starting the demo web app on 127.0.0.1:18000');
    expect(await supervisor.tailLog('extras', 50)).toContain(
      'Skipping extras startup (not in /etc/portal.yaml)',
    );
    expect(await supervisor.provisioningLog()).toContain('Provisioning complete');
    expect(await supervisor.portalApps()).toEqual([
      { name: 'Demo Web App', hostname: 'localhost', externalPort: 8000, internalPort: 18000, openPath: '/' },
    ]);
    const ports = (await supervisor.listeningTcp()).map((s) => s.port);
    expect(ports).toEqual(expect.arrayContaining([22, 18000, 8000]));
  });

  it('follows a program log until cancelled', async () => {
    const supervisor = h.runs.supervisor(id);
    const controller = new AbortController();
    let text = '';
    const following = supervisor.followLog('webapp', {
      lines: 5,
      signal: controller.signal,
      onText: (t) => (text += t),
    });
    await waitFor('a log line', async () => (text.length > 0 ? true : undefined), 10_000, 50);
    await exec(h, id, ['sh', '-c', 'echo follow-marker >> /var/log/portal/webapp.log']);
    await waitFor(
      'the appended line',
      async () => (text.includes('follow-marker') ? true : undefined),
      10_000,
      50,
    );
    controller.abort();
    await following;
  });

  it('is listed, and runs onstart again after a restart', async () => {
    const listed = (await h.runs.list()).find((r) => r.containerId === id);
    expect(listed).toMatchObject({
      mode: 'ssh',
      state: 'running',
      source: DEMO_TEMPLATE_DIR,
      template: 'default',
    });
    await h.runs.restart(id, { wait: true, timeoutMs: 90_000 });
    const log = await exec(h, id, ['cat', '/var/log/onstart.log']);
    expect(log.match(/\[tstudio-launch\] onstart run at/g)).toHaveLength(2);
    expect(log.match(/boot: 95-supervisor-wait\.sh/g)).toHaveLength(2);
    const after = await h.runs.get(id);
    expect(after.ports).toEqual(ready.run.ports);
    const r = await openSsh(h, sshPort, ['echo', 'back']);
    expect(r.stdout.trim()).toBe('back');
  });

  it('is removed and then not found', async () => {
    await h.runs.remove(id);
    await expect(h.runs.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
