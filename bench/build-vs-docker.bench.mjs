#!/usr/bin/env node
// @entries build-vs-docker
// Wall time of one small uncached build (a few RUN steps) through the app's pipeline (context
// packed with .dockerignore, dockerode buildImage, the BuildKit stream decoded into steps and
// tagged log lines, the image inspected) vs `docker build --no-cache` with the same builder
// (BuildKit on both sides when the docker CLI has buildx, else the classic builder on both:
// DOCKER_BUILDKIT=0), alternating, after one warm-up each.
// Prints one JSON line: {name, value: median of per-round ratios ours/docker, baseline: docker
// median ms, unit: 'ratio', goal: 1.05}. Needs dockerd and tstudio/base:bookworm.
// Run with `npm run bench -- build-vs-docker` (or `node bench/build-vs-docker.bench.mjs [ROUNDS]`).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.argv[2] ?? 5);

// Loads the TypeScript sources as they are (no build step), through Vite's module runner.
const { module: dockerModule } = await runnerImport(join(root, 'src/main/services/docker/index.ts'));
const { runBuild, chooseBuilder, createDockerClient, resolveDockerEndpoint } = dockerModule;

const endpoint = resolveDockerEndpoint({ env: process.env, home: tmpdir(), platform: process.platform });
const docker = createDockerClient(endpoint);
// The docker CLI (28.x here) builds with BuildKit only through its buildx plugin; without it,
// DOCKER_BUILDKIT=0 gives the classic builder. Both sides use the same builder, whichever it is.
const ourChoice = await chooseBuilder(docker, 'auto', process.env);
const cliHasBuildkit = await new Promise((resolve) => {
  const probe = spawn('docker', ['buildx', 'version'], { stdio: 'ignore' });
  probe.on('error', () => resolve(false));
  probe.on('close', (code) => resolve(code === 0));
});
const builder = ourChoice === 'buildkit' && cliHasBuildkit ? 'buildkit' : 'classic';

const context = await mkdtemp(join(tmpdir(), 'tstudio-bench-build-'));
await writeFile(
  join(context, 'Dockerfile'),
  [
    'FROM tstudio/base:bookworm',
    'COPY app.py /opt/app.py',
    'RUN python3 -c "print(sum(range(10**6)))"',
    'RUN seq 1 20000 > /tmp/numbers && wc -l /tmp/numbers',
    'RUN for i in 1 2 3 4 5; do echo "line $i"; done',
    'RUN python3 /opt/app.py',
    '',
  ].join('\n'),
);
await writeFile(join(context, 'app.py'), 'print("hello from the bench")\n');
await writeFile(join(context, '.dockerignore'), '*.tmp\n');
await writeFile(join(context, 'junk.tmp'), 'x'.repeat(1 << 20));

const OURS_TAG = 'tstudio-bench/build-vs-docker:ours';
const DOCKER_TAG = 'tstudio-bench/build-vs-docker:docker';

async function ours() {
  const t0 = performance.now();
  let lines = 0;
  await runBuild(
    docker,
    {
      contextDir: context,
      dockerfile: 'Dockerfile',
      tags: [OURS_TAG],
      buildArgs: {},
      labels: { 'tstudio.bench': '1' },
      noCache: true,
      pull: false,
      builder,
    },
    {
      sink: {
        stepChanged: () => undefined,
        logged: (segments) => {
          for (const s of segments) lines += s.text.split('\n').length - 1;
        },
      },
    },
  );
  if (lines === 0) throw new Error('our build logged nothing');
  return performance.now() - t0;
}

function theirs() {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'docker',
      [
        'build',
        '--no-cache',
        '--label',
        'tstudio.bench=1',
        '-t',
        DOCKER_TAG,
        ...(builder === 'buildkit' ? ['--progress=plain'] : []),
        context,
      ],
      {
        env: { ...process.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - t0)
        : reject(new Error(`docker build failed (${code}):\n${output}`)),
    );
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

try {
  await ours();
  await theirs();
  const oursMs = [];
  const dockerMs = [];
  const ratios = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate who goes first so neither always builds on a warmer engine.
    let c;
    let d;
    if (i % 2 === 0) {
      c = await ours();
      d = await theirs();
    } else {
      d = await theirs();
      c = await ours();
    }
    oursMs.push(c);
    dockerMs.push(d);
    ratios.push(c / d);
    process.stderr.write(
      `round ${i + 1}: ours ${c.toFixed(0)} ms, docker ${d.toFixed(0)} ms, ratio ${(c / d).toFixed(3)}\n`,
    );
  }
  const value = Number(median(ratios).toFixed(3));
  const baseline = Math.round(median(dockerMs));
  process.stderr.write(
    `builder ${builder}; ours median ${median(oursMs).toFixed(0)} ms, docker median ${baseline} ms\n`,
  );
  console.log(
    JSON.stringify({
      name: 'build-vs-docker',
      value,
      baseline,
      unit: 'ratio',
      goal: 1.05,
      better: 'lower',
      detail: `${builder}; ours median ${median(oursMs).toFixed(0)} ms over ${ROUNDS} rounds`,
    }),
  );
} finally {
  await rm(context, { recursive: true, force: true });
  for (const tag of [OURS_TAG, DOCKER_TAG])
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
}
