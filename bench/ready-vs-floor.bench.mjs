#!/usr/bin/env node
// @entries ready-vs-floor
// Time from "run" to ready in SSH mode, beside the floor measured in the same run.
// Ours: `tstudio run resources/demo-template --mode ssh --json` (the built CLI, wall time until it
// prints the ready JSON: container created the Vast way, SSH login with the app key works, and
// /.provisioning is gone). Floor: `docker run` of the same image with sshd as its only command,
// until an SSH handshake succeeds. Alternating rounds; medians; value = ours / floor.
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import ssh2 from 'ssh2';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = join(import.meta.dirname, '..');
const demo = join(root, 'resources', 'demo-template');
const dataDir = mkdtempSync(join(tmpdir(), 'tstudio-bench-ready-'));
const env = { ...process.env, TSTUDIO_DATA_DIR: dataDir };

function cli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'out', 'main', 'cli.js'), ...args], {
      env,
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

/** Resolves once an SSH handshake with 127.0.0.1:port completes (authentication is not needed). */
function handshake(port, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const c = new ssh2.Client();
      let settled = false;
      c.on('handshake', () => {
        settled = true;
        c.end();
        resolve();
      });
      c.on('error', () => {
        c.end();
        if (settled) return;
        if (performance.now() > deadline) reject(new Error('no SSH handshake before the deadline'));
        else setTimeout(attempt, 25);
      });
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

async function ours() {
  const started = performance.now();
  const out = await cli(['run', demo, '--mode', 'ssh', '--json']);
  const ms = performance.now() - started;
  const { id } = JSON.parse(out.trim().split('\n').at(-1));
  await cli(['rm', id]);
  return ms;
}

function floor() {
  const started = performance.now();
  const id = execFileSync('docker', [
    'run',
    '-d',
    '-p',
    '127.0.0.1::22',
    '--label',
    'tstudio.test=1',
    '--entrypoint',
    '/bin/sh',
    'tstudio/demo:dev',
    '-c',
    // The same host key types the launch mimic makes, then sshd in the foreground: nothing else.
    "mkdir -p /run/sshd && ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && exec /usr/sbin/sshd -D -e",
  ])
    .toString()
    .trim();
  const port = Number(execFileSync('docker', ['port', id, '22/tcp']).toString().trim().split(':').pop());
  return handshake(port, performance.now() + 60_000).then(
    () => {
      const ms = performance.now() - started;
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      return ms;
    },
    (err) => {
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      throw err;
    },
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  // Warm-up: build the demo image if missing, and let both paths touch the image once.
  await ours();
  await floor();
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await ours());
    b.push(await floor());
  }
  const value = median(a) / median(b);
  console.error(
    `ours ${a.map((x) => x.toFixed(0)).join(' ')} ms; floor ${b.map((x) => x.toFixed(0)).join(' ')} ms`,
  );
  console.log(
    JSON.stringify({
      name: 'ready-vs-floor',
      value: Number(value.toFixed(3)),
      baseline: Math.round(median(b)),
      unit: 'ratio',
      goal: 1.15,
      better: 'lower',
      detail: { oursMedianMs: Math.round(median(a)), floorMedianMs: Math.round(median(b)), rounds: ROUNDS },
    }),
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
