#!/usr/bin/env node
// @entries tunnel-vs-openssh
// Throughput of a 100 MB download through our Tunnel (ssh2 forwardOut) vs the stock OpenSSH client's
// `ssh -N -L` to the same sshd container, side by side in one run, alternating rounds; each download
// runs in its own process. Prints one
// JSON line: {name, value: ours/openssh, baseline: openssh MB/s, unit: 'ratio', goal: 0.8}.
// Needs dockerd and the tstudio/base:bookworm image; run with `npm run bench -- tunnel-vs-openssh`.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BYTES = 100 * 1000 * 1000;
const ROUNDS = 5;
const REMOTE_PORT = 9000;

// Loads the TypeScript sources as they are (no build step), through Vite's module runner.
const { module: sshModule } = await runnerImport(join(root, 'src/main/services/ssh/index.ts'));
const { module: sshdModule } = await runnerImport(join(root, 'test/integration/helpers/sshd-container.ts'));
const { SshService } = sshModule;
const { startSshdContainer, waitUntil } = sshdModule;

// A sender inside the container: every connection gets BYTES of incompressible data, then EOF.
const SENDER = `
import os, socket, sys, threading
total = int(sys.argv[1])
block = os.urandom(1 << 20)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', int(sys.argv[2])))
srv.listen(16)
def serve(c):
    try:
        left = total
        while left > 0:
            n = min(left, len(block))
            c.sendall(block[:n])
            left -= n
    except OSError:
        pass
    finally:
        c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
`;

// The downloader runs in a process of its own for both sides, as a browser or curl would: in the
// product the tunnel's client is never inside the app's process, and OpenSSH gets a process of its
// own too. It times from connect to EOF and prints MB/s.
const DOWNLOADER = `
const net = require('node:net');
const [port, bytes] = process.argv.slice(1).map(Number);
let received = 0;
let started;
const socket = net.connect({ host: '127.0.0.1', port }, () => { started = process.hrtime.bigint(); });
socket.on('data', (chunk) => { received += chunk.length; });
socket.on('error', (err) => { console.error(err.message); process.exit(2); });
socket.on('close', () => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (received !== bytes) { console.error('received ' + received + ' of ' + bytes + ' bytes'); process.exit(1); }
  console.log(bytes / 1e6 / seconds);
});
`;

function download(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', DOWNLOADER, String(port), String(BYTES)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`download on port ${port} failed: ${err.trim()}`));
      resolve(Number(out.trim()));
    });
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dataDir = await mkdtemp(join(tmpdir(), 'tstudio-bench-tunnel-'));
const ssh = new SshService({ dataDir, env: {} });
let sshd = null;
let openssh = null;
try {
  const key = await ssh.keys.get();
  sshd = await startSshdContainer({ authorizedKeys: [key.publicKey], readinessKey: key.privateKey });
  await sshd.spawn(['python3', '-c', SENDER, String(BYTES), String(REMOTE_PORT)]);
  await waitUntil(
    async () => (await sshd.exec(['sh', '-c', 'ss -ltn | grep -q ":9000 "'])).exitCode === 0,
    15_000,
    'the sender',
  );

  const target = { host: sshd.host, port: sshd.port, user: sshd.user };
  const tunnel = ssh.tunnels.open(target, { remotePort: REMOTE_PORT, localPort: 0 });
  const { localPort: oursPort } = await tunnel.whenUp();

  const opensshPort = await freePort();
  openssh = spawn(
    '/usr/bin/ssh',
    [
      '-i',
      key.privateKeyPath,
      '-p',
      String(sshd.port),
      '-N',
      '-L',
      `127.0.0.1:${opensshPort}:127.0.0.1:${REMOTE_PORT}`,
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'ExitOnForwardFailure=yes',
      '-o',
      'LogLevel=ERROR',
      'root@127.0.0.1',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitUntil(() => canConnect(opensshPort), 15_000, 'the OpenSSH forward');

  // One warm-up each, then alternating rounds so both see the same machine conditions.
  await download(oursPort);
  await download(opensshPort);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await download(oursPort));
    theirs.push(await download(opensshPort));
  }
  const oursMBps = median(ours);
  const opensshMBps = median(theirs);
  process.stderr.write(
    `tunnel-vs-openssh: ours ${ours.map((x) => x.toFixed(0)).join('/')} MB/s, openssh ${theirs.map((x) => x.toFixed(0)).join('/')} MB/s (${BYTES / 1e6} MB per round)\n`,
  );
  console.log(
    JSON.stringify({
      name: 'tunnel-vs-openssh',
      value: Number((oursMBps / opensshMBps).toFixed(3)),
      baseline: Number(opensshMBps.toFixed(1)),
      unit: 'ratio',
      goal: 0.8,
      better: 'higher',
      detail: {
        oursMBps: Number(oursMBps.toFixed(1)),
        opensshMBps: Number(opensshMBps.toFixed(1)),
        bytes: BYTES,
        rounds: ROUNDS,
      },
    }),
  );
} finally {
  if (openssh?.pid) process.kill(openssh.pid, 'SIGTERM');
  await ssh.dispose();
  await sshd?.remove();
  await rm(dataDir, { recursive: true, force: true });
}
