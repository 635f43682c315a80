import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { OperationEventData } from '../../src/shared/types';
import type { BuildLogSegmentData, BuildStepData } from '../../src/shared/contract/builds';
import { AppError } from '../../src/shared/errors';
import { OperationManager } from '../../src/main/services/operations';
import { BuildService, createDockerClient, resolveDockerEndpoint } from '../../src/main/services/docker';
import { runBuild as runBuildCommand } from '../../src/main/cli/commands/build';
import { createBuildHandlers } from '../../src/main/handlers/builds';
import { BuildParams } from '../../src/shared/contract/builds';
import { PushService } from '../../src/main/services/docker';
import { REPO_ROOT } from './helpers/cli';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'build');
const RUN = randomUUID().slice(0, 8);
const LABELS = { 'tstudio.test': '1' };

let docker: Docker;
let dataDir: string;
let events: OperationEventData[];
let operations: OperationManager;
let builds: BuildService;
const tags: string[] = [];

function tag(name: string): string {
  const t = `tstudio-test/${name}:${RUN}`;
  tags.push(t);
  return t;
}

function eventsOf(opId: string, type: string): OperationEventData[] {
  return events.filter((e) => e.opId === opId && e.type === type);
}

/** The last state of every step, as a view that followed the events would show it. */
function finalSteps(opId: string): BuildStepData[] {
  const steps = new Map<number, BuildStepData>();
  for (const e of eventsOf(opId, 'build:stepChanged')) {
    const { step } = e.data as { step: BuildStepData };
    steps.set(step.index, step);
  }
  return [...steps.values()].sort((a, b) => a.index - b.index);
}

function segments(opId: string): BuildLogSegmentData[] {
  return eventsOf(opId, 'build:logged').flatMap(
    (e) => (e.data as { segments: BuildLogSegmentData[] }).segments,
  );
}

function stepNamed(steps: BuildStepData[], fragment: string): BuildStepData {
  const step = steps.find((s) => s.name.includes(fragment));
  if (!step) throw new Error(`no step with "${fragment}" in ${steps.map((s) => s.name).join(' | ')}`);
  return step;
}

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Host processes whose command line holds the marker (the daemon runs build steps on this machine). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function containersWith(marker: string): Promise<string[]> {
  const all = await docker.listContainers({ all: true });
  return all.filter((c) => c.Command.includes(marker)).map((c) => c.Id);
}

beforeAll(() => {
  docker = createDockerClient(
    resolveDockerEndpoint({ env: process.env, home: tmpdir(), platform: process.platform }),
  );
  dataDir = mkdtempSync(join(tmpdir(), 'tstudio-builds-'));
  events = [];
  operations = new OperationManager({ event: (e) => events.push(e), stateChanged: () => undefined });
  builds = new BuildService({ docker, operations, dataDir });
});

afterAll(async () => {
  await operations.dispose();
  for (const t of tags) {
    try {
      await docker.getImage(t).remove({ force: true });
    } catch {
      // Never built (a failed or cancelled build).
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(['buildkit', 'classic'] as const)('the %s builder', (builder) => {
  it('builds, reports steps in order with timing and tagged log lines, and marks cached steps on a second build', async () => {
    const params = {
      contextDir: join(FIXTURES, 'ok'),
      tags: [tag(`ok-${builder}`)],
      buildArgs: { RUN_ID: `${RUN}-${builder}` },
      labels: LABELS,
      builder,
    };
    const first = builds.start({ ...params, noCache: true });
    const result = await first.done;
    expect(result.builder).toBe(builder);
    const image = await docker.getImage(params.tags[0] as string).inspect();
    expect(image.Id).toBe(result.imageId);
    expect(result.sizeBytes).toBe(image.Size);
    expect(result.tags).toEqual(params.tags);

    const steps = finalSteps(first.operationId);
    const one = stepNamed(steps, 'step one');
    const copy = stepNamed(steps, 'COPY kept.txt');
    const two = stepNamed(steps, 'line A');
    expect(one.index).toBeLessThan(copy.index);
    expect(copy.index).toBeLessThan(two.index);
    for (const step of [one, two]) {
      expect(step.state).toBe('done');
      expect(step.durationMs).not.toBeNull();
      expect(step.endedAt as number).toBeGreaterThanOrEqual(step.startedAt as number);
    }
    const log = segments(first.operationId);
    const ofOne = log
      .filter((s) => s.step === one.index)
      .map((s) => s.text)
      .join('');
    expect(ofOne).toContain(`hello from step one (${RUN}-${builder})`);
    const ofTwo = log
      .filter((s) => s.step === two.index)
      .map((s) => s.text)
      .join('');
    expect(ofTwo).toContain('line A');
    expect(ofTwo).toContain('line B');
    expect(ofTwo).toContain('kept content');

    const second = builds.start(params);
    const again = await second.done;
    expect(again.imageId).toBe(result.imageId);
    const cachedSteps = finalSteps(second.operationId);
    expect(stepNamed(cachedSteps, 'step one').state).toBe('cached');
    expect(stepNamed(cachedSteps, 'line A').state).toBe('cached');
  });

  it('says which RUN step failed and what the daemon said', async () => {
    const started = builds.start({
      contextDir: join(FIXTURES, 'fail'),
      tags: [tag(`fail-${builder}`)],
      buildArgs: { RUN_ID: `${RUN}-${builder}` },
      labels: LABELS,
      noCache: true,
      builder,
    });
    const error = await started.done.then(
      () => null,
      (e: unknown) => e as AppError,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe('BUILD_FAILED');
    const details = error?.details as { step: string; message: string };
    expect(details.step).toContain('exit 3');
    expect(details.message).toMatch(/3/);
    expect(error?.message).toContain(details.message);

    const steps = finalSteps(started.operationId);
    const failed = stepNamed(steps, 'exit 3');
    expect(failed.state).toBe('failed');
    expect(stepNamed(steps, 'before the failure').state).toBe('done');
    expect(steps.some((s) => s.name.includes('never runs') && s.state === 'done')).toBe(false);
    const ofFailed = segments(started.operationId)
      .filter((s) => s.step === failed.index)
      .map((s) => s.text)
      .join('');
    expect(ofFailed).toContain('about to fail');
    expect(operations.summary(started.operationId).state).toBe('failed');
  });

  it('names a base image the engine lacks and says how to get it (the offline base: the script)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tstudio-missing-base-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM tstudio/base:missing-${RUN}\nRUN true\n`);
    try {
      const started = builds.start({
        contextDir: dir,
        tags: [tag(`nobase-${builder}`)],
        labels: LABELS,
        builder,
      });
      const error = await started.done.then(
        () => null,
        (e: unknown) => e as AppError,
      );
      expect(error?.code).toBe('BUILD_FAILED');
      expect(error?.message).toMatch(
        new RegExp(
          `^The base image tstudio/base:missing-${RUN} is not on this engine\\..*sudo bash scripts/build-base-image\\.sh`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancel during a long RUN stops the build in the daemon and leaves nothing running', async () => {
    const marker = `tstudio-cancel-${RUN}-${builder}`;
    const dir = mkdtempSync(join(tmpdir(), 'tstudio-cancel-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM tstudio/base:bookworm\nRUN sleep 60 && echo ${marker}\n`);
    try {
      const started = builds.start({
        contextDir: dir,
        tags: [tag(`cancel-${builder}`)],
        labels: LABELS,
        builder,
      });
      await waitFor(
        'the sleep step to run in the daemon',
        () =>
          finalSteps(started.operationId).some((s) => s.name.includes('sleep 60') && s.state === 'running') &&
          processesWith(marker).length > 0,
        30_000,
      );
      const cancelAt = Date.now();
      builds.cancel(started.operationId);
      const error = await started.done.then(
        () => null,
        (e: unknown) => AppError.from(e),
      );
      expect(error?.code).toBe('CANCELLED');
      expect(Date.now() - cancelAt).toBeLessThan(10_000);
      expect(operations.summary(started.operationId).state).toBe('cancelled');
      await waitFor(
        'the build step to be gone from the host and the engine',
        async () => processesWith(marker).length === 0 && (await containersWith(marker)).length === 0,
        15_000,
      );
      await expect(docker.getImage(`tstudio-test/cancel-${builder}:${RUN}`).inspect()).rejects.toThrow();
      const record = (await builds.list()).find((r) => r.id === started.operationId);
      expect(record?.outcome).toBe('cancelled');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('honours .dockerignore like the docker CLI: ignored files are absent from the image', async () => {
  const t = tag('ignore');
  await builds.start({ contextDir: join(FIXTURES, 'ignore'), tags: [t], labels: LABELS }).done;
  const listing = execFileSync(
    'docker',
    ['run', '--rm', '--network', 'none', '--label', 'tstudio.test=1', '--entrypoint', 'ls', t, '-A', '/ctx'],
    { encoding: 'utf8' },
  );
  expect(listing.trim().split('\n').sort()).toEqual(['.dockerignore', 'Dockerfile', 'keep.tmp', 'kept.txt']);
});

it('keeps the history and full logs across restarts, pages the log, and re-runs with the same parameters', async () => {
  const t = tag('history');
  const first = builds.start({
    contextDir: join(FIXTURES, 'ok'),
    tags: [t],
    buildArgs: { GREETING: 'bonjour', RUN_ID: RUN },
    labels: LABELS,
  });
  await first.done;

  // A new service over the same folder: what a restarted app sees.
  const restarted = new BuildService({ docker, operations, dataDir });
  const record = (await restarted.list()).find((r) => r.id === first.operationId);
  expect(record).toMatchObject({
    outcome: 'succeeded',
    params: { tags: [t], buildArgs: { GREETING: 'bonjour' } },
  });
  expect(record?.durationMs).toBeGreaterThan(0);
  expect(record?.imageId).toMatch(/^sha256:/);
  expect(record?.steps.length).toBeGreaterThan(2);

  const whole = await restarted.readLog(first.operationId, 0, 4 * 1024 * 1024);
  expect(whole.complete).toBe(true);
  expect(whole.text).toContain(`bonjour from step one (${RUN})`);
  expect(whole.totalBytes).toBe(record?.logBytes);
  let paged = '';
  let offset = 0;
  for (let pages = 0; offset < whole.totalBytes; pages++) {
    const page = await restarted.readLog(first.operationId, offset, 64);
    expect(page.nextOffset).toBeGreaterThan(offset);
    paged += page.text;
    offset = page.nextOffset;
    expect(pages).toBeLessThan(10_000);
  }
  expect(paged).toBe(whole.text);

  expect((await restarted.args(join(FIXTURES, 'ok'))).remembered).toEqual({
    GREETING: 'bonjour',
    RUN_ID: RUN,
  });
  const { args } = await restarted.args(join(FIXTURES, 'ok'));
  expect(args.map((a) => [a.name, a.defaultValue])).toEqual([
    ['GREETING', 'hello'],
    ['RUN_ID', 'none'],
  ]);

  const rerun = await restarted.rerun(first.operationId);
  expect(rerun.operationId).not.toBe(first.operationId);
  expect((await rerun.done).imageId).toBe(record?.imageId);
  const rerunRecord = (await restarted.list()).find((r) => r.id === rerun.operationId);
  expect(rerunRecord?.params).toEqual(record?.params);
});

describe('tstudio build (CLI function)', () => {
  it('exits 1 on a failed RUN and prints JSON lines of events with --json', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runBuildCommand(
      {
        path: join(FIXTURES, 'fail'),
        tag: [tag('cli-fail')],
        buildArg: [`RUN_ID=${RUN}-cli`],
        json: true,
        dataDir,
      },
      { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    );
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OperationEventData);
    const failedStep = lines
      .filter((e) => e.type === 'build:stepChanged')
      .map((e) => (e.data as { step: BuildStepData }).step)
      .find((s) => s.state === 'failed');
    expect(failedStep?.name).toContain('exit 3');
    const end = lines[lines.length - 1];
    expect(end?.type).toBe('state');
    expect(end?.data).toMatchObject({ state: 'failed', error: { code: 'BUILD_FAILED' } });
    expect(stderr).toBe('');
  });

  it('exits 0 with the log and a summary line in human mode, and 130 when its signal aborts', async () => {
    let stdout = '';
    const ok = await runBuildCommand(
      { path: join(FIXTURES, 'ok'), tag: [tag('cli-ok')], buildArg: [`RUN_ID=${RUN}-cli`], dataDir },
      { stdout: (s) => (stdout += s), stderr: () => undefined },
    );
    expect(ok).toBe(0);
    expect(stdout).toContain(`hello from step one (${RUN}-cli)`);
    expect(stdout).toMatch(/Built sha256:[0-9a-f]{64} .* tagged tstudio-test\/cli-ok/);

    const marker = `tstudio-cli-cancel-${RUN}`;
    const dir = mkdtempSync(join(tmpdir(), 'tstudio-cancel-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM tstudio/base:bookworm\nRUN sleep 60 && echo ${marker}\n`);
    try {
      const controller = new AbortController();
      const pending = runBuildCommand(
        { path: dir, json: true, dataDir },
        { stdout: () => undefined, stderr: () => undefined, signal: controller.signal },
      );
      await waitFor('the CLI build to reach the sleep', () => processesWith(marker).length > 0, 30_000);
      controller.abort();
      expect(await pending).toBe(130);
      await waitFor('the sleep to be gone', () => processesWith(marker).length === 0, 15_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

it('answers the builds calls through its handlers', async () => {
  const handlers = createBuildHandlers({ builds, pushes: new PushService({ docker, operations }) });
  const { operationId } = await handlers['builds:start'](
    BuildParams.parse({
      contextDir: join(FIXTURES, 'ok'),
      tags: [tag('handlers')],
      buildArgs: { RUN_ID: `${RUN}-handlers` },
      labels: LABELS,
    }),
  );
  await operations.settled(operationId);
  const { args, stages, remembered } = await handlers['builds:args']({
    contextDir: join(FIXTURES, 'ok'),
    dockerfile: 'Dockerfile',
  });
  expect(args.map((a) => a.name)).toEqual(['GREETING', 'RUN_ID']);
  expect(stages).toHaveLength(1);
  expect(remembered).toEqual({ RUN_ID: `${RUN}-handlers` });
  const history = await handlers['builds:history']({ limit: 1 });
  expect(history[0]).toMatchObject({ id: operationId, outcome: 'succeeded' });
  const page = await handlers['builds:log']({ id: operationId, offset: 0, limit: 1024 * 1024 });
  expect(page.text).toContain('hello from step one');
  await expect(handlers['builds:rerun']({ id: 'no-such-build' })).rejects.toMatchObject({
    code: 'NOT_FOUND',
  });
});
