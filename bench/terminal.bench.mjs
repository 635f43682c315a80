#!/usr/bin/env node
// @entries terminal-vs-xterm echo-latency
// The embedded terminal through the whole app, in Chromium, on a local run in SSH mode:
//
// terminal-vs-xterm: ~27 MB of base64 printed by `cat` in the app's terminal (remote shell -> ssh2 ->
//   main's shell session -> WebSocket -> renderer -> xterm.write, acknowledged after each write) until
//   the marker line after it is drawn, vs xterm.js alone in the same Chromium (bench/fixtures/
//   xterm-baseline.html) writing the same bytes from memory with the same options, size and a flow
//   control window of the same size. Both sides use the DOM renderer, so "drawn" can be read from
//   `.xterm-rows`; rounds alternate. The WebGL figure (SwiftShader here: there is no GPU) goes to
//   `detail`, timed to the write callback of the last byte on both sides (a canvas cannot be read).
// echo-latency: single printable keys pressed one at a time; in the page, from the keydown to the
//   DOM mutation (inside the animation frame that draws it) that shows the character.
//
// Needs dockerd, the tstudio/base:bookworm image, /usr/bin/chromium and `npx electron-vite build`.
// Run with `node bench/run.mjs terminal-vs-xterm echo-latency`.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../test/chromium.mjs';
import { msByName, rendererMainThreads } from './chromium-trace.mjs';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'out', 'main', 'cli.js');
const RAW_BYTES = 20_000_000; // base64 of this: ~27 MB on screen
const DOM_ROUNDS = 5;
const WEBGL_ROUNDS = 2;
const KEYS = 200;
const TMUX_KEYS = 60;
// As main's shell session (DEFAULT_PTY_OPTIONS): batches of up to 256 KiB, at most 4 MiB unacknowledged.
const CHUNK_CHARS = 256 * 1024;
const WINDOW_CHARS = 4 * 1024 * 1024;
const REMOTE_PAYLOAD = '/tmp/tstudio-bench-payload.txt';

const dir = mkdtempSync(join(tmpdir(), 'tstudio-bench-terminal-'));
const env = { ...process.env, TSTUDIO_DATA_DIR: join(dir, 'data') };
const log = (s) => process.stderr.write(`${s}\n`);

// ---- cleanup: every resource registers how to release itself; run once, also on SIGINT/SIGTERM ----
const cleanups = [];
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (err) {
      log(`cleanup: ${err?.message ?? err}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

function withDeadline(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function execFileText(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024, ...options }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Stops a child we started, by its pid: SIGTERM, then SIGKILL if it has not exited in 5 s. */
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  try {
    await withDeadline(exited, 5000, `pid ${child.pid}`);
  } catch {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

async function startServe() {
  const serve = spawn(process.execPath, [cli, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => stopChild(serve));
  const firstLine = new Promise((resolve, reject) => {
    createInterface({ input: serve.stdout }).once('line', resolve);
    serve.once('exit', (code) => reject(new Error(`tstudio serve exited with ${code} before its URL`)));
  });
  const url = await withDeadline(firstLine, 30_000, 'tstudio serve');
  serve.stdout.resume();
  return { url: url.trim(), pid: serve.pid };
}

async function startRun() {
  const out = await execFileText(
    process.execPath,
    [cli, 'run', join(root, 'resources', 'demo-template'), '--mode', 'ssh', '--json'],
    { timeout: 300_000 },
  );
  const json = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .at(-1);
  if (!json) throw new Error(`tstudio run printed no JSON:\n${out}`);
  const run = JSON.parse(json);
  cleanups.push(() => execFileText(process.execPath, [cli, 'rm', run.id], { timeout: 60_000 }));
  return run;
}

/** A command on the run over OpenSSH with the app's key (the host key is of a throwaway container). */
function sshExec(run, command) {
  const { host, port, user, identityFile } = run.ssh;
  return execFileText('ssh', [
    '-i',
    identityFile,
    '-p',
    String(port),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    `${user}@${host}`,
    command,
  ]);
}

/** Serves the baseline page and the xterm packages it loads, on loopback. */
async function startStaticServer(payloadFile) {
  const mounts = {
    '/xterm/': join(root, 'node_modules', '@xterm', 'xterm'),
    '/addon-webgl/': join(root, 'node_modules', '@xterm', 'addon-webgl'),
  };
  const types = {
    '.mjs': 'text/javascript',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.html': 'text/html',
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let file = null;
    if (path === '/') file = join(root, 'bench', 'fixtures', 'xterm-baseline.html');
    else if (path === '/payload') file = payloadFile;
    else
      for (const [prefix, base] of Object.entries(mounts)) {
        if (!path.startsWith(prefix)) continue;
        const rel = normalize(path.slice(prefix.length));
        if (!rel.startsWith('..')) file = join(base, rel);
      }
    try {
      if (!file) throw new Error('not found');
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-type': types[extname(file)] ?? 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${server.address().port}/`;
}

/** CPU seconds a process of ours has used so far (utime + stime from /proc, 100 ticks a second). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds used so far by every process on the machine, summed by kind (Chromium by its --type,
 * the app's serve process, sshd, docker-proxy…): read before and after a round, the difference says
 * where the two cores went while the bytes travelled.
 */
function cpuByKind(servePid) {
  const kinds = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    let cmdline;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // Gone since the listing.
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    let kind = comm;
    if (Number(entry) === servePid) kind = 'app main (serve)';
    else if (/chrom/i.test(comm)) kind = `chromium ${cmdline.match(/--type=([a-z-]+)/)?.[1] ?? 'browser'}`;
    else if (comm.startsWith('kworker')) kind = 'kernel workers';
    kinds[kind] = (kinds[kind] ?? 0) + seconds;
  }
  return kinds;
}

/** Cores used per kind between two cpuByKind readings, over `seconds` of wall time (≥ 1% only). */
function coresUsed(before, after, seconds) {
  const out = {};
  for (const [kind, total] of Object.entries(after)) {
    const used = (total - (before[kind] ?? 0)) / seconds;
    if (used >= 0.01) out[kind] = round2(used);
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

/** Per kind, the median of the cores it used over the rounds (a kind missing in a round used 0). */
function medianCores(rounds) {
  const kinds = new Set(rounds.flatMap((r) => Object.keys(r)));
  const out = {};
  for (const kind of kinds) out[kind] = median(rounds.map((r) => r[kind] ?? 0));
  return Object.fromEntries(
    Object.entries(out)
      .filter(([, v]) => v >= 0.02)
      .sort((a, b) => b[1] - a[1]),
  );
}

/** Seconds the page's main thread has spent on tasks so far (Chromium's own counter). */
async function pageBusySeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
}

async function cdpFor(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  return cdp;
}

/**
 * Times one round and says where the time went: the share of the wall time the page's main thread
 * was busy and, for the app, the share main (the serve process) was on a CPU.
 */
async function profiled(round, cdp, servePid) {
  const busy0 = await pageBusySeconds(cdp);
  const cpu0 = servePid ? cpuSeconds(servePid) : 0;
  const kinds0 = cpuByKind(servePid);
  const seconds = await round();
  const cores = coresUsed(kinds0, cpuByKind(servePid), seconds);
  const busy = (await pageBusySeconds(cdp)) - busy0;
  const cpu = servePid ? cpuSeconds(servePid) - cpu0 : null;
  return { seconds, pageBusy: busy / seconds, mainCpu: cpu === null ? null : cpu / seconds, cores };
}

/**
 * With TERMINAL_BENCH_PROFILE=1 the first app round is run under Chromium's sampling profiler and
 * the functions with the most self time are printed to stderr: where the page's time goes.
 */
async function withPageProfile(cdp, fn) {
  if (!process.env.TERMINAL_BENCH_PROFILE) return fn();
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  const result = await fn();
  const { profile } = await cdp.send('Profiler.stop');
  const byFunction = new Map();
  const dt = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const hits = new Map();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (hits.get(node.id) ?? 0) * dt);
  }
  const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [key, ms] of top) log(`  profile: ${ms.toFixed(0).padStart(6)} ms  ${key}`);
  return result;
}

/**
 * With TERMINAL_BENCH_PROFILE=1 the second round of each side is traced and the page main thread's
 * time is summed per kind of work (script, style, layout, paint…), printed to stderr.
 */
async function withTrace(browser, page, label, fn) {
  if (!process.env.TERMINAL_BENCH_PROFILE) return fn();
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'v8', 'disabled-by-default-devtools.timeline'],
  });
  const result = await fn();
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString('utf8'));
  // The page's main thread: of the renderer main threads, the one that ran tasks longest.
  const mains = [...rendererMainThreads(traceEvents)];
  const taskMs = (thread) => msByName(traceEvents, new Set([thread]), ['RunTask']).RunTask ?? 0;
  const pageThread = new Set(mains.sort((x, y) => taskMs(y) - taskMs(x)).slice(0, 1));
  const kinds = [
    'RunTask',
    'FunctionCall',
    'FireAnimationFrame',
    'UpdateLayoutTree',
    'Layout',
    'PrePaint',
    'Paint',
    'Layerize',
    'Commit',
    'MajorGC',
    'MinorGC',
    'V8.GC_SCAVENGER',
    'EventDispatch',
  ];
  const tasks = traceEvents.filter(
    (e) => e.ph === 'X' && e.name === 'RunTask' && pageThread.has(`${e.pid}:${e.tid}`),
  );
  // CPU time of its tasks against their wall time: the difference is time it waited for a core.
  const cpuUs = tasks.reduce((sum, e) => sum + (e.tdur ?? 0), 0);
  log(`  trace ${label}: RunTask on CPU ${(cpuUs / 1000).toFixed(0)} ms`);
  // Wall time the thread had a task running (overlapping tasks merged), and the span.
  const spans = tasks.map((e) => [e.ts, e.ts + e.dur]).sort((x, y) => x[0] - y[0]);
  let busyUs = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    busyUs += b - Math.max(a, end);
    end = b;
  }
  const spanUs = spans.length ? end - spans[0][0] : 0;
  log(`  trace ${label}: main thread busy ${(busyUs / 1000).toFixed(0)} of ${(spanUs / 1000).toFixed(0)} ms`);
  log(
    `  trace ${label}: ${Object.entries(msByName(traceEvents, pageThread, kinds))
      .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
      .join(', ')}`,
  );
  return result;
}

const nonce = () => String(100_000_000 + Math.floor(Math.random() * 900_000_000));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const round2 = (x) => Math.round(x * 100) / 100;
const pct = (x) => `${Math.round(x * 100)}%`;

const ACTIVE_ROWS = '.terminal-pane:not([hidden]) .xterm-rows';

/** Watches the app's WebSocket: output batches received and acks sent, so a WebGL round can be timed. */
function tapWebSocket(page) {
  const tap = { received: 0, acked: 0, marker: null, markerAt: null, lastFrame: 0, onAck: null };
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"terminal:output"')) return;
      tap.received++;
      tap.lastFrame = performance.now();
      if (tap.marker && tap.markerAt === null && payload.includes(tap.marker)) tap.markerAt = tap.received;
    });
    ws.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.includes('"terminal:ack"')) return;
      tap.acked++;
      tap.lastFrame = performance.now();
      tap.onAck?.();
    });
  });
  return tap;
}

async function waitUntil(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A terminal frame came after `since` (the output of what was just typed), then none either way for
 * 500 ms: it has all been drawn and acknowledged.
 */
const quiet = (tap, since = 0) =>
  waitUntil(
    () => tap.lastFrame > since && performance.now() - tap.lastFrame > 500,
    30_000,
    'a quiet terminal',
  );

async function typeCommand(page, command, echoedPart) {
  await page.locator('.terminal-pane:not([hidden]) .xterm-helper-textarea').focus();
  await page.keyboard.type(command);
  if (echoedPart)
    await page.waitForFunction(
      ([sel, text]) => (globalThis.document.querySelector(sel)?.textContent ?? '').includes(text),
      [ACTIVE_ROWS, echoedPart],
      { timeout: 30_000 },
    );
}

/**
 * Playwright keeps Chromium's Network domain on for every page it drives, so the page copies each
 * WebSocket frame it receives into a DevTools event, and the browser and this process pass it on:
 * 27 MB of output costs the app's side (and only it: the baseline reads its bytes from memory) a
 * share of the two cores that no user pays. While a round is timed the domain is off on Playwright's
 * own session, reached through its in-process internals; returns null (and the bench says the
 * figure includes the mirror) when a Playwright version no longer has them.
 */
function networkMirrorSwitch(page) {
  try {
    const client = page._connection.toImpl(page).delegate._mainFrameSession._client;
    if (typeof client?.send !== 'function') throw new Error('no session');
    return { off: () => client.send('Network.disable'), on: () => client.send('Network.enable', {}) };
  } catch {
    return null;
  }
}

/** One app round with the DOM renderer: Enter -> the marker line is in the rendered rows. */
async function appDomRound(page, tap, lastPayloadLine, mirror) {
  const n = nonce();
  await typeCommand(page, `cat ${REMOTE_PAYLOAD}; printf 'DONE-%s\\n' ${n}`, ` ${n}`);
  await quiet(tap);
  await mirror?.off();
  const started = performance.now();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([sel, marker]) => (globalThis.document.querySelector(sel)?.textContent ?? '').includes(marker),
    [ACTIVE_ROWS, `DONE-${n}`],
    { timeout: 600_000, polling: 'raf' },
  );
  const seconds = (performance.now() - started) / 1000;
  await mirror?.on();
  const text = await page.locator(ACTIVE_ROWS).textContent();
  if (!text.includes(lastPayloadLine))
    throw new Error('the last line of the payload is not on screen above the marker: bytes were lost');
  return seconds;
}

/** One app round with WebGL: Enter -> the ack of the batch holding the marker (xterm wrote it). */
async function appWebglRound(page, tap) {
  const n = nonce();
  const typedAt = performance.now();
  await typeCommand(page, `cat ${REMOTE_PAYLOAD}; printf 'DONE-%s\\n' ${n}`, null);
  await quiet(tap, typedAt);
  tap.received = 0;
  tap.acked = 0;
  tap.markerAt = null;
  tap.marker = `DONE-${n}`;
  const done = new Promise((resolve) => {
    tap.onAck = () => {
      if (tap.markerAt !== null && tap.acked >= tap.markerAt) resolve(performance.now());
    };
  });
  const started = performance.now();
  await page.keyboard.press('Enter');
  const ended = await withDeadline(done, 600_000, 'the WebGL round');
  tap.onAck = null;
  tap.marker = null;
  return (ended - started) / 1000;
}

async function openBaseline(browser, baseUrl, { cols, rows, renderer }) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(baseUrl);
  await page.waitForFunction(() => globalThis.benchReady === true);
  const used = await page.evaluate((o) => globalThis.bench.setup(o), { cols, rows, renderer });
  const chars = await page.evaluate(
    ([u, c]) => globalThis.bench.load(u, c),
    [`${baseUrl}payload`, CHUNK_CHARS],
  );
  return { page, used, chars };
}

async function baselineDomRound(page) {
  const marker = `DONE-${nonce()}`;
  await page.bringToFront();
  const started = performance.now();
  await page.evaluate(([m, w]) => globalThis.bench.run(m, w), [marker, WINDOW_CHARS]);
  await page.waitForFunction(
    (m) => (globalThis.document.querySelector('.xterm-rows')?.textContent ?? '').includes(m),
    marker,
    { timeout: 600_000, polling: 'raf' },
  );
  return (performance.now() - started) / 1000;
}

async function baselineWebglRound(page) {
  await page.bringToFront();
  const started = performance.now();
  await page.evaluate(([m, w]) => globalThis.bench.run(m, w), [`DONE-${nonce()}`, WINDOW_CHARS]);
  return (performance.now() - started) / 1000;
}

/**
 * Presses `keys` one at a time into the active terminal; per key, the time in the page from its
 * keydown to the DOM mutation that shows it. The line is cleared with Ctrl-U every 30 keys so it
 * never wraps.
 */
async function echoLatencies(page, keys) {
  await page.evaluate((sel) => {
    globalThis.armEcho = (ch) => {
      const rows = globalThis.document.querySelector(sel);
      const count = () => rows.textContent.split(ch).length - 1;
      const before = count();
      let keydownAt = null;
      globalThis.echoResult = new Promise((resolve) => {
        const onKey = (e) => {
          if (e.key === ch && keydownAt === null) keydownAt = performance.now();
        };
        const finish = (value) => {
          observer.disconnect();
          clearTimeout(timer);
          globalThis.document.removeEventListener('keydown', onKey, true);
          resolve(value);
        };
        const observer = new globalThis.MutationObserver(() => {
          if (keydownAt !== null && count() > before) finish(performance.now() - keydownAt);
        });
        const timer = setTimeout(() => finish(null), 10_000);
        globalThis.document.addEventListener('keydown', onKey, true);
        observer.observe(rows, { childList: true, subtree: true, characterData: true });
      });
    };
  }, ACTIVE_ROWS);
  const alphabet = 'qxzjkvwy';
  // Letters of the prompt or tmux's status line stay on screen, so the line is clean again when the
  // count of the alphabet's letters is back to what it was before the first key.
  const countLetters = () =>
    page.evaluate(
      ([sel, a]) =>
        [...(globalThis.document.querySelector(sel)?.textContent ?? '')].filter((c) => a.includes(c)).length,
      [ACTIVE_ROWS, alphabet],
    );
  const clean = await countLetters();
  const samples = [];
  await page.locator('.terminal-pane:not([hidden]) .xterm-helper-textarea').focus();
  for (let i = 0; i < keys; i++) {
    const ch = alphabet[i % alphabet.length];
    await page.evaluate((c) => globalThis.armEcho(c), ch);
    await page.keyboard.press(ch);
    const ms = await page.evaluate(() => globalThis.echoResult);
    if (ms === null) throw new Error(`the key ${ch} (#${i}) was not echoed within 10 s`);
    samples.push(ms);
    if (i % 30 === 29) {
      await page.keyboard.press('Control+U');
      await waitUntil(async () => (await countLetters()) === clean, 10_000, 'the line to be cleared');
    }
  }
  await page.keyboard.press('Control+U');
  return samples;
}

/** Opens a terminal on `target` from the Terminals view; it becomes the active pane. */
async function openTerminal(page, target, ready) {
  const before = await page.locator('.terminal-pane').count();
  await page.getByLabel('Terminal target').fill(target);
  await page.getByRole('button', { name: 'Open terminal' }).click();
  await page.locator('.terminal-pane').nth(before).waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    ([sel, source]) => new RegExp(source).test(globalThis.document.querySelector(sel)?.textContent ?? ''),
    [ACTIVE_ROWS, ready.source],
    { timeout: 60_000 },
  );
}

async function main() {
  log('starting serve and a local run (ssh mode)…');
  const { url, pid: servePid } = await startServe();
  const run = await startRun();
  log(`run ${run.id} on ${run.ssh.host}:${run.ssh.port}`);
  // Vast's tmux auto-attach redraws the screen instead of passing every byte on: measured apart.
  await sshExec(
    run,
    `touch ~/.no_auto_tmux && head -c ${RAW_BYTES} /dev/urandom | base64 > ${REMOTE_PAYLOAD}`,
  );
  const payload = await sshExec(run, `cat ${REMOTE_PAYLOAD}`);
  const lines = payload.split('\n').filter(Boolean);
  const lastPayloadLine = lines.at(-1);
  // What the terminal receives: the tty turns each \n into \r\n (onlcr).
  const screenPayload = payload.replaceAll('\n', '\r\n');
  const payloadFile = join(dir, 'payload.txt');
  writeFileSync(payloadFile, screenPayload);
  const totalMB = (screenPayload.length + 'DONE-123456789\r\n'.length) / 1e6;
  log(`payload: ${lines.length} lines, ${totalMB.toFixed(1)} MB on screen`);
  const baseUrl = await startStaticServer(payloadFile);

  const browser = await chromium.launch(chromiumLaunchOptions());
  cleanups.push(() => withDeadline(browser.close(), 15_000, 'closing Chromium'));

  const app = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await app.addInitScript(() => globalThis.localStorage.setItem('tstudio.terminal.renderer', 'dom'));
  const tap = tapWebSocket(app);
  const mirror = networkMirrorSwitch(app);
  log(
    mirror
      ? "Playwright's WebSocket mirror is off while an app round is timed"
      : "Playwright's WebSocket mirror could not be switched off: the app's figures include it",
  );
  await app.goto(url);
  await app.getByRole('button', { name: /^Terminals/ }).click();
  await openTerminal(app, run.id, /#\s*$/);
  await typeCommand(app, `printf 'SIZE-%s\\n' "$(stty size | tr ' ' x)"\n`, null);
  await app.waitForFunction(
    (sel) => /SIZE-\d+x\d+/.test(globalThis.document.querySelector(sel)?.textContent ?? ''),
    ACTIVE_ROWS,
  );
  const [, rows, cols] = (await app.locator(ACTIVE_ROWS).textContent()).match(/SIZE-(\d+)x(\d+)/).map(Number);
  log(`terminal: ${cols}x${rows}`);

  // ---- throughput, DOM renderer on both sides, alternating ----
  const baseDom = await openBaseline(browser, baseUrl, { cols, rows, renderer: 'dom' });
  if (baseDom.chars !== screenPayload.length) throw new Error('the baseline page loaded a different payload');
  const appCdp = await cdpFor(app);
  const baseCdp = await cdpFor(baseDom.page);
  const ours = [];
  const theirs = [];
  const shares = { appPageBusy: [], appMainCpu: [], baselinePageBusy: [] };
  const appCores = [];
  for (let i = 0; i < DOM_ROUNDS; i++) {
    await app.bringToFront();
    const a = await profiled(
      () =>
        i === 0
          ? withPageProfile(appCdp, () => appDomRound(app, tap, lastPayloadLine, mirror))
          : i === 1
            ? withTrace(browser, app, 'app', () => appDomRound(app, tap, lastPayloadLine, mirror))
            : appDomRound(app, tap, lastPayloadLine, mirror),
      appCdp,
      servePid,
    );
    const b = await profiled(
      () =>
        i === 1
          ? withTrace(browser, baseDom.page, 'xterm alone', () => baselineDomRound(baseDom.page))
          : baselineDomRound(baseDom.page),
      baseCdp,
      null,
    );
    ours.push(totalMB / a.seconds);
    theirs.push(totalMB / b.seconds);
    shares.appPageBusy.push(a.pageBusy);
    shares.appMainCpu.push(a.mainCpu);
    shares.baselinePageBusy.push(b.pageBusy);
    appCores.push(a.cores);
    log(
      `dom round ${i + 1}: app ${ours.at(-1).toFixed(1)} MB/s (${a.seconds.toFixed(2)} s; page busy ${pct(a.pageBusy)}, main on CPU ${pct(a.mainCpu)}), ` +
        `xterm alone ${theirs.at(-1).toFixed(1)} MB/s (${b.seconds.toFixed(2)} s; page busy ${pct(b.pageBusy)})\n` +
        `  cores used in the app round: ${Object.entries(a.cores)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}\n` +
        `  cores used in the xterm round: ${Object.entries(b.cores)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    );
  }
  await baseDom.page.close();

  // ---- echo latency, DOM renderer, no tmux ----
  await app.bringToFront();
  const clearedAt = performance.now();
  await typeCommand(app, 'clear\n', null);
  await quiet(tap, clearedAt);
  const echo = await echoLatencies(app, KEYS);
  const echoMedian = median(echo);
  const echoP95 = percentile(echo, 95);
  log(
    `echo: median ${echoMedian.toFixed(1)} ms, p95 ${echoP95.toFixed(1)} ms, max ${Math.max(...echo).toFixed(1)} ms`,
  );

  // ---- echo latency inside Vast's auto-attached tmux, for the detail ----
  let tmux = null;
  try {
    await sshExec(run, 'rm -f ~/.no_auto_tmux');
    await openTerminal(app, run.id, /\[ssh_tmux\]/);
    await quiet(tap);
    const t = await echoLatencies(app, TMUX_KEYS);
    tmux = { keys: t.length, medianMs: round2(median(t)), p95Ms: round2(percentile(t, 95)) };
    log(`echo in tmux: median ${tmux.medianMs} ms, p95 ${tmux.p95Ms} ms`);
  } catch (err) {
    tmux = { error: String(err?.message ?? err).split('\n')[0] };
    log(`echo in tmux not measured: ${tmux.error}`);
  }
  // Close the tmux terminal if it opened: the plain one is active again for the WebGL rounds.
  if ((await app.getByRole('tab').count()) > 1)
    await app
      .getByRole('button', { name: /^Close / })
      .last()
      .click();
  await app.locator('.terminal-pane').nth(1).waitFor({ state: 'detached', timeout: 15_000 });

  // ---- throughput with WebGL (software GL here), timed to the last write callback ----
  let webgl = null;
  try {
    await app.locator('.terminal-pane:not([hidden])').getByLabel('Renderer').selectOption('webgl');
    await waitUntil(
      () =>
        app
          .locator('.terminal-pane:not([hidden]) .xterm-screen canvas')
          .count()
          .then((c) => c > 0),
      15_000,
      'the WebGL canvas',
    );
    await quiet(tap);
    const baseGl = await openBaseline(browser, baseUrl, { cols, rows, renderer: 'webgl' });
    if (baseGl.used !== 'webgl') throw new Error('the WebGL addon did not load in the baseline page');
    const o = [];
    const t = [];
    for (let i = 0; i < WEBGL_ROUNDS; i++) {
      await app.bringToFront();
      o.push(totalMB / (await appWebglRound(app, tap)));
      t.push(totalMB / (await baselineWebglRound(baseGl.page)));
      log(`webgl round ${i + 1}: app ${o.at(-1).toFixed(1)} MB/s, xterm alone ${t.at(-1).toFixed(1)} MB/s`);
    }
    await baseGl.page.close();
    webgl = {
      oursMBps: round2(median(o)),
      baselineMBps: round2(median(t)),
      ratio: round2(median(o) / median(t)),
    };
  } catch (err) {
    webgl = { error: String(err?.message ?? err).split('\n')[0] };
    log(`webgl not measured: ${webgl.error}`);
  }

  // Rounds alternate, so each app round has a baseline round next to it under the same machine load:
  // the value is the median of those paired ratios.
  const pairedRatio = median(ours.map((o, i) => o / theirs[i]));
  const oursMBps = median(ours);
  const baselineMBps = median(theirs);
  console.log(
    JSON.stringify({
      name: 'terminal-vs-xterm',
      value: round2(pairedRatio),
      baseline: round2(baselineMBps),
      unit: 'ratio',
      goal: 0.7,
      better: 'higher',
      detail: {
        oursMBps: round2(oursMBps),
        baselineMBps: round2(baselineMBps),
        payloadMB: round2(totalMB),
        terminal: `${cols}x${rows}`,
        renderer: 'dom (both sides); end = marker line in .xterm-rows',
        method: 'value = median of per-round ours/baseline over alternating rounds; MB/s figures are medians',
        ratioOfMedians: round2(oursMBps / baselineMBps),
        roundsMBps: { ours: ours.map(round2), baseline: theirs.map(round2) },
        // Where the time went, per round: the share of the wall time each page's main thread was
        // busy, and the share main (the serve process) was on a CPU.
        busyShares: Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, v.map(round2)])),
        appRoundCores: medianCores(appCores),
        playwrightMirrorOff: mirror !== null,
        webgl: { ...webgl, note: 'SwiftShader (no GPU); end = write callback of the last byte' },
      },
    }),
  );
  console.log(
    JSON.stringify({
      name: 'echo-latency',
      value: round2(echoP95),
      baseline: round2(echoMedian),
      unit: 'ms p95',
      goal: 50,
      better: 'lower',
      detail: {
        note: 'value = p95, baseline = median (ms), keydown to the DOM mutation that shows the character',
        keys: echo.length,
        medianMs: round2(echoMedian),
        p95Ms: round2(echoP95),
        maxMs: round2(Math.max(...echo)),
        renderer: 'dom',
        tmux,
      },
    }),
  );
}

try {
  await main();
} catch (err) {
  log(`terminal bench failed: ${err?.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
