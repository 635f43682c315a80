import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSsh, type CliTerminal } from '../../src/main/cli/commands/ssh';
import { parsePortSpec, runTunnel } from '../../src/main/cli/commands/tunnel';
import { SshService, type SshTarget } from '../../src/main/services/ssh';
import { startSshdContainer, waitUntil, type SshdContainer } from './helpers/sshd-container';

let dataDir: string;
let ssh: SshService;
let sshd: SshdContainer;
let address: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tstudio-ssh-cli-'));
  ssh = new SshService({ dataDir, env: {} });
  const key = await ssh.keys.get();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
  address = `root@127.0.0.1:${sshd.port}`;
  await sshd.spawn(['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', '/etc']);
  await waitUntil(
    async () => (await sshd.exec(['curl', '-sf', 'http://127.0.0.1:8000/hostname'])).exitCode === 0,
    15_000,
    'the HTTP server',
  );
});

afterAll(async () => {
  await ssh?.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
});

function collector() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) },
  };
}

describe('tstudio ssh', () => {
  it('runs a command line as OpenSSH does (words joined, run by the remote shell) and exits with its code', async () => {
    const c = collector();
    const code = await runSsh(
      { target: address, command: ['X="a b";', 'echo "out $X";', 'echo err >&2;', 'exit', '4'] },
      c.io,
      { ssh },
    );
    expect(code).toBe(4);
    expect(c.out.join('')).toBe('out a b\n');
    expect(c.err.join('')).toBe('err\n');
  });

  it('resolves a run or instance id through the injected resolver', async () => {
    const c = collector();
    const resolveTarget = async (ref: string): Promise<SshTarget> => {
      if (ref !== 'run-1234') throw new Error(`unexpected ${ref}`);
      return { host: '127.0.0.1', port: sshd.port, user: 'root' };
    };
    expect(await runSsh({ target: 'run-1234', command: ['true'] }, c.io, { ssh, resolveTarget })).toBe(0);
    expect(await runSsh({ target: 'nonsense', command: ['true'] }, c.io, { ssh })).toBe(255);
    expect(c.err.join('')).toMatch(/neither user@host:port nor a run or instance/);
  });

  it('runs an interactive shell on a terminal: input, output, resize and the exit code', async () => {
    const stdin = new PassThrough();
    let screen = '';
    const stdout = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          screen += chunk.toString();
          done();
        },
      }),
      { rows: 30, columns: 100 },
    );
    let resize: () => void = () => undefined;
    const terminal: CliTerminal = {
      stdin,
      stdout,
      onResize: (l) => {
        resize = l;
        return () => undefined;
      },
    };
    const c = collector();
    const finished = runSsh({ target: address }, c.io, { ssh, terminal });
    stdin.write('stty size\r');
    await waitUntil(
      () => /\b30 100\r\n/.test(screen),
      15_000,
      () => `stty size 30 100 in ${JSON.stringify(screen.slice(-300))}`,
    );
    Object.assign(stdout, { rows: 33, columns: 111 });
    resize();
    stdin.write('stty size; exit 5\r');
    expect(await finished).toBe(5);
    expect(screen).toMatch(/\b33 111\r\n/);
  });
});

describe('tstudio tunnel', () => {
  it('reads PORT[:LOCALPORT]', () => {
    expect(parsePortSpec('8080')).toEqual({ remotePort: 8080, localPort: 0 });
    expect(parsePortSpec('8080:18080')).toEqual({ remotePort: 8080, localPort: 18080 });
    expect(() => parsePortSpec('0')).toThrow(/PORT:LOCALPORT/);
    expect(() => parsePortSpec('80:x')).toThrow();
  });

  it('prints one line per tunnel as it comes up and keeps them until stopped', async () => {
    const c = collector();
    const controller = new AbortController();
    const running = runTunnel(
      { target: address, ports: ['8000', '22:0'] },
      { ...c.io, signal: controller.signal },
      { ssh },
    );
    await waitUntil(
      () => c.out.length === 2,
      20_000,
      () => `two tunnel lines; stderr ${c.err.join('')}`,
    );
    const lines = c.out.join('');
    const httpPort = Number(/^127\.0\.0\.1:(\d+) -> 8000$/m.exec(lines)?.[1]);
    expect(lines).toMatch(/^127\.0\.0\.1:\d+ -> 22$/m);
    const response = await fetch(`http://127.0.0.1:${httpPort}/hostname`);
    expect((await response.text()).trim()).toMatch(/^[0-9a-f]{12}$/);
    controller.abort();
    expect(await running).toBe(0);
    expect(ssh.tunnels.list()).toHaveLength(0);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: httpPort });
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
