/**
 * A real sshd in a throwaway container of tstudio/base:bookworm, published on a random port of
 * 127.0.0.1, for the SSH integration tests and the tunnel benchmark.
 *
 * sshd is NOT pid 1: a small loop keeps restarting it unless /tmp/sshd-stopped exists. Killing sshd
 * therefore drops every connection without stopping the container (a restarted container could get
 * another random host port, and the tests need the same address to come back).
 */
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { Client } from 'ssh2';

export const BASE_IMAGE = 'tstudio/base:bookworm';

// Fixed text, no data in it: the keys arrive through the AUTHORIZED_KEYS environment variable.
const BOOT_SCRIPT = [
  'set -u',
  'mkdir -p /root/.ssh /run/sshd',
  'chmod 700 /root/.ssh',
  'printf "%s\\n" "$AUTHORIZED_KEYS" > /root/.ssh/authorized_keys',
  'chmod 600 /root/.ssh/authorized_keys',
  'ssh-keygen -A',
  'while true; do',
  '  if [ ! -e /tmp/sshd-stopped ]; then /usr/sbin/sshd -D -e -o PasswordAuthentication=no; fi',
  '  sleep 0.2',
  'done',
].join('\n');

export interface ExecOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SshdContainer {
  readonly id: string;
  readonly host: '127.0.0.1';
  /** The host port sshd is published on. */
  readonly port: number;
  readonly user: 'root';
  /** Host ports of the extra container ports asked for, by container port. */
  readonly published: Map<number, number>;
  exec(argv: string[]): Promise<ExecOutcome>;
  /** Starts a long-running process in the background (docker exec, detached). */
  spawn(argv: string[]): Promise<void>;
  /** Serves /hello.txt with `text` over HTTP on 127.0.0.1:`port` inside the container; resolves once it answers. */
  serveHello(port: number, text: string): Promise<void>;
  /** Kills every sshd (dropping every connection) and keeps it down until startSshd(). */
  stopSshd(): Promise<void>;
  startSshd(): Promise<void>;
  /** Freezes every process of the container (docker pause): the link goes silent, with no RST. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** New host keys, picked up by the next sshd. */
  regenerateHostKeys(): Promise<void>;
  remove(): Promise<void>;
}

export interface SshdContainerOptions {
  authorizedKeys: string[];
  /** Container ports to publish as well (e.g. for the OpenSSH-free baseline of a benchmark). */
  extraPorts?: number[];
  /** A private key the readiness handshake may use (any key in authorizedKeys). */
  readinessKey: Buffer | string;
}

export async function startSshdContainer(options: SshdContainerOptions): Promise<SshdContainer> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const ports = [22, ...(options.extraPorts ?? [])];
  const container = await docker.createContainer({
    Image: BASE_IMAGE,
    Cmd: ['/bin/sh', '-c', BOOT_SCRIPT],
    Env: [`AUTHORIZED_KEYS=${options.authorizedKeys.join('\n')}`],
    Labels: { 'tstudio.test': '1' },
    ExposedPorts: Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])),
    HostConfig: {
      PortBindings: Object.fromEntries(
        ports.map((p) => [`${p}/tcp`, [{ HostIp: '127.0.0.1', HostPort: '' }]]),
      ),
      AutoRemove: false,
    },
  });
  try {
    await container.start();
    const info = await container.inspect();
    const published = new Map<number, number>();
    for (const p of ports) {
      const binding = info.NetworkSettings.Ports[`${p}/tcp`]?.[0];
      if (!binding) throw new Error(`port ${p} was not published`);
      published.set(p, Number(binding.HostPort));
    }
    const port = published.get(22) ?? 0;
    await waitForHandshake(port, options.readinessKey, 30_000);

    const exec = async (argv: string[]): Promise<ExecOutcome> => {
      const handle = await container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
      const stream = await handle.start({ hijack: true, stdin: false });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      stdout.on('data', (c: Buffer) => out.push(c));
      stderr.on('data', (c: Buffer) => err.push(c));
      docker.modem.demuxStream(stream, stdout, stderr);
      await new Promise<void>((resolve, reject) => {
        stream.on('end', () => resolve());
        stream.on('close', () => resolve());
        stream.on('error', reject);
      });
      const inspected = await handle.inspect();
      return {
        exitCode: inspected.ExitCode ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      };
    };
    const mustExec = async (argv: string[]): Promise<void> => {
      const r = await exec(argv);
      if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (${r.exitCode}): ${r.stderr}`);
    };

    const spawn = async (argv: string[]): Promise<void> => {
      const handle = await container.exec({ Cmd: argv, AttachStdout: false, AttachStderr: false });
      const response: unknown = await handle.start({ Detach: true });
      // The engine keeps the answer's socket open for minutes; nothing more will come on it.
      if (response && typeof (response as { destroy?: unknown }).destroy === 'function') {
        (response as { destroy: () => void }).destroy();
      }
    };

    return {
      id: info.Id,
      host: '127.0.0.1',
      port,
      user: 'root',
      published,
      exec,
      spawn,
      serveHello: async (httpPort, text) => {
        const dir = `/tmp/www-${httpPort}`;
        // printf '%s\n' "$1": the text reaches the file as an argument, never as shell code.
        await mustExec(['sh', '-c', `mkdir -p ${dir} && printf '%s\\n' "$1" > ${dir}/hello.txt`, 'sh', text]);
        await spawn([
          'python3',
          '-m',
          'http.server',
          String(httpPort),
          '--bind',
          '127.0.0.1',
          '--directory',
          dir,
        ]);
        await waitUntil(
          async () => (await exec(['curl', '-sf', `http://127.0.0.1:${httpPort}/hello.txt`])).exitCode === 0,
          15_000,
          'the HTTP server in the container',
        );
      },
      stopSshd: async () => {
        await mustExec(['touch', '/tmp/sshd-stopped']);
        await exec(['pkill', '-x', 'sshd']);
        await waitUntil(
          async () => (await exec(['pgrep', '-x', 'sshd'])).exitCode !== 0,
          10_000,
          'sshd to stop',
        );
      },
      startSshd: async () => {
        await mustExec(['rm', '-f', '/tmp/sshd-stopped']);
      },
      pause: async () => {
        await container.pause();
      },
      unpause: async () => {
        await container.unpause();
      },
      regenerateHostKeys: async () => {
        await mustExec(['sh', '-c', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A']);
      },
      remove: async () => {
        await container.remove({ force: true });
      },
    };
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw err;
  }
}

/** sshd in a fresh container may close the first TCP connects: ready means a handshake succeeded. */
export async function waitForHandshake(
  port: number,
  privateKey: Buffer | string,
  timeoutMs: number,
): Promise<void> {
  let lastError: unknown = null;
  await waitUntil(
    async () => {
      try {
        await new Promise<void>((resolve, reject) => {
          const client = new Client();
          client.on('ready', () => {
            client.end();
            resolve();
          });
          client.on('error', reject);
          client.connect({ host: '127.0.0.1', port, username: 'root', privateKey, readyTimeout: 5_000 });
        });
        return true;
      } catch (err) {
        lastError = err;
        return false;
      }
    },
    timeoutMs,
    () => `an SSH handshake on 127.0.0.1:${port} (last error: ${String(lastError)})`,
  );
}

export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}
