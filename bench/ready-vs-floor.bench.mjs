#!/usr/bin/env node
// @entries ready-vs-floor
// Time from "run" to ready in SSH mode, beside the floor measured in the same run.
//
// Ours: the app's own call, in this process, as the desktop app and the browser shell make it when
// Run is clicked: `LocalRunService.start({source: resources/demo-template, mode: 'ssh'})`, timed from
// the call until it resolves (template read, image checked, ports chosen, container created the Vast
// way, started, an SSH handshake succeeded, and /.provisioning is gone).
// Floor: `docker run` of the same image with sshd as its only command (after making the one ed25519
// host key sshd needs), until an SSH handshake succeeds. The host port is chosen before, so polling
// starts as soon as `docker run -d` returns (no `docker port` call in the way) and retries every
// 25 ms. (Polling before the container has started is slower, not faster: docker-proxy then forwards
// a connection into a network that is not up yet, and the lost SYN costs a second.)
// Also measured, as detail only: the same run through the built CLI (`tstudio run --json`, out/),
// which adds Node's start and the bundle's load to ours.
//
// Alternating rounds after one warm-up each. value = the median of the rounds' ratios (ours / floor
// of the same round, so a burst of load from other work on the machine hits both sides of a ratio);
// the medians of both times and their ratio are in the detail.
// READY_BENCH_PROFILE=1 prints where our time goes, round by round, on stderr: the service's steps,
// the engine's created/started times, the launch script's output lines as the engine stamped them,
// and the times at which the launch script and the image's boot wrote their files.
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { runnerImport } from 'vite';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PROFILE = process.env.READY_BENCH_PROFILE === '1';
const IMAGE = 'tstudio/demo:dev';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(root, 'resources', 'demo-template');
const cliPath = join(root, 'out', 'main', 'cli.js');
const dataDir = mkdtempSync(join(tmpdir(), 'tstudio-bench-ready-'));
const run = promisify(execFile);

// The TypeScript sources as they are (no build step), through Vite's module runner.
const { module: launch } = await runnerImport(join(root, 'src/main/services/launch/index.ts'));
const { module: dockerModule } = await runnerImport(join(root, 'src/main/services/docker/index.ts'));
const docker = dockerModule.createDockerClient(
  dockerModule.resolveDockerEndpoint({ env: process.env, home: tmpdir(), platform: process.platform }),
);

// The app key, made the way the CLI's first run makes it would cost a first-run only: made once here.
const identityFile = join(dataDir, 'ssh', 'id_ed25519');
await run('mkdir', ['-p', dirname(identityFile)]);
await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tstudio-bench', '-f', identityFile]);
const runs = new launch.LocalRunService(docker, {
  dataDir,
  sshPublicKey: readFileSync(`${identityFile}.pub`, 'utf8').trim(),
  identityFile,
  labels: { 'tstudio.test': '1' },
});

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once an SSH handshake with 127.0.0.1:port completes (authentication is not needed). */
function handshake(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const c = new ssh2.Client();
      let settled = false;
      const retry = () => {
        if (settled) return;
        settled = true;
        c.end();
        if (performance.now() > deadline) reject(new Error('no SSH handshake before the deadline'));
        else setTimeout(attempt, 25);
      };
      c.on('handshake', () => {
        settled = true;
        c.end();
        resolve();
      });
      c.on('error', retry);
      c.on('close', retry);
      c.connect({
        host: '127.0.0.1',
        port,
        username: 'root',
        readyTimeout: 5000,
        tryKeyboard: false,
        authHandler: () => false,
      });
    };
    attempt();
  });
}

/** Our run, in process. With PROFILE, also the timeline of where the time went. */
async function ours() {
  const marks = [];
  const started = performance.now();
  const wall = Date.now();
  const mark = (what) => marks.push([Date.now() - wall, what]);
  const ready = await runs.start(
    { source: demo, mode: 'ssh' },
    {
      signal: new AbortController().signal,
      log: () => undefined,
      emit: (type, data) => {
        if (type === 'step')
          mark(`main: step ${data.step}${data.attempts ? ` (${data.attempts} attempts)` : ''}`);
      },
    },
  );
  const ms = performance.now() - started;
  mark('main: start() resolved');
  try {
    if (PROFILE) marks.push(...(await containerTimeline(ready.run.containerId, wall)));
  } finally {
    await runs.remove(ready.run.containerId);
  }
  return { ms, marks };
}

/** Engine times, launch script output lines (as the engine stamped them) and file times inside. */
async function containerTimeline(id, wall) {
  const marks = [];
  const at = (iso) => Date.parse(iso) - wall;
  const inspected = JSON.parse((await run('docker', ['inspect', id])).stdout)[0];
  marks.push([at(inspected.Created), 'engine: created'], [at(inspected.State.StartedAt), 'engine: started']);
  const logs = await run('docker', ['logs', '--timestamps', id]);
  for (const line of `${logs.stdout}${logs.stderr}`.split('\n').filter(Boolean)) {
    const [stamp, ...rest] = line.split(' ');
    // RFC 3339 with nanoseconds: Date.parse wants at most milliseconds.
    marks.push([at(stamp.replace(/(\.\d{3})\d*/, '$1')), `output: ${rest.join(' ').slice(0, 60)}`]);
  }
  const files = {
    '/.launch': 'launch: /.launch written (script began)',
    '/root/.ssh/authorized_keys': 'launch: authorized_keys',
    '/etc/ssh/ssh_host_ed25519_key': 'launch: ed25519 host key',
    '/etc/ssh/ssh_host_ecdsa_key': 'launch: ecdsa host key',
    '/run/sshd.pid': 'launch: sshd up',
    '/root/onstart.sh': 'launch: onstart.sh written',
    '/root/hasbooted': 'launch: hasbooted',
    '/etc/environment': 'boot: 10-prep-env wrote /etc/environment',
    '/etc/portal.yaml': 'boot: 20-portal-config wrote /etc/portal.yaml',
    '/.provisioning_complete': 'boot: 75-provisioning done',
    '/var/run/supervisor.sock': 'boot: supervisord socket',
  };
  const stat = await run('docker', [
    'exec',
    id,
    'sh',
    '-c',
    'for f in "$@"; do stat -c "%.3Y %n" "$f" 2>/dev/null; done; true',
    'sh',
    ...Object.keys(files),
  ]);
  for (const line of stat.stdout.trim().split('\n').filter(Boolean)) {
    const [seconds, path] = line.split(' ');
    marks.push([Math.round(Number(seconds) * 1000) - wall, files[path] ?? path]);
  }
  return marks;
}

async function floor() {
  const port = await freePort();
  const started = performance.now();
  const id = (
    await run('docker', [
      'run',
      '-d',
      '-p',
      `127.0.0.1:${port}:22`,
      '--label',
      'tstudio.test=1',
      '--entrypoint',
      '/bin/sh',
      IMAGE,
      '-c',
      // One host key (sshd needs one and the image has none, as Vast makes them per container), then
      // sshd in the foreground: nothing else.
      "mkdir -p /run/sshd && ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && exec /usr/sbin/sshd -D -e",
    ])
  ).stdout.trim();
  try {
    await handshake(port, started + 60_000);
    return performance.now() - started;
  } finally {
    await run('docker', ['rm', '-f', id]).catch(() => undefined);
  }
}

function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, TSTUDIO_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`tstudio ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

async function throughCli() {
  const started = performance.now();
  const out = await cli(['run', demo, '--mode', 'ssh', '--json']);
  const ms = performance.now() - started;
  const { id } = JSON.parse(out.trim().split('\n').at(-1));
  await cli(['rm', id]);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const withCli = existsSync(cliPath);

function printProfile(rounds) {
  for (const [i, marks] of rounds.entries()) {
    console.error(`\nround ${i + 1} (ms from the call):`);
    for (const [t, what] of [...marks].sort((a, b) => a[0] - b[0]))
      console.error(`${String(t).padStart(6)}  ${what}`);
  }
  // The median time of each mark over the rounds: the breakdown to read.
  const byName = new Map();
  for (const marks of rounds)
    for (const [t, what] of marks) {
      const key = what.replace(/\(\d+ attempts\)/, '').replace(/ \d+(\.\d+)? s\b.*/, '');
      byName.set(key, [...(byName.get(key) ?? []), t]);
    }
  console.error('\nmedian over the rounds (ms from the call):');
  for (const [what, ts] of [...byName].sort((a, b) => median(a[1]) - median(b[1])))
    console.error(`${String(median(ts)).padStart(6)}  ${what}`);
}

try {
  // Warm-up: build the demo image if missing, and let each path touch the image once.
  await ours();
  await floor();
  if (withCli) await throughCli();
  const a = [];
  const b = [];
  const c = [];
  const profiles = [];
  for (let i = 0; i < ROUNDS; i++) {
    const mine = await ours();
    a.push(mine.ms);
    profiles.push(mine.marks);
    b.push(await floor());
    if (withCli) c.push(await throughCli());
  }
  if (PROFILE) printProfile(profiles);
  const value = median(a.map((ms, i) => ms / b[i]));
  const list = (xs) => xs.map((x) => x.toFixed(0)).join(' ');
  console.error(`ours ${list(a)} ms; floor ${list(b)} ms${withCli ? `; through the CLI ${list(c)} ms` : ''}`);
  console.log(
    JSON.stringify({
      name: 'ready-vs-floor',
      value: Number(value.toFixed(3)),
      baseline: Math.round(median(b)),
      unit: 'ratio',
      goal: 1.15,
      better: 'lower',
      detail: {
        oursMedianMs: Math.round(median(a)),
        floorMedianMs: Math.round(median(b)),
        ratioOfMedians: Number((median(a) / median(b)).toFixed(3)),
        ...(withCli ? { cliMedianMs: Math.round(median(c)) } : {}),
        rounds: ROUNDS,
        measures: 'LocalRunService.start in process (ssh mode, demo template) vs docker run + sshd',
      },
    }),
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
// The engine client's pooled sockets and the module runner can keep Node up for minutes after the
// result is out; nothing is left to do, so end (only if something still holds the process open).
setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
