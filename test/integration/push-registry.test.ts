import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { OperationEventData } from '../../src/shared/types';
import type { PushLayerProgressData } from '../../src/shared/contract/builds';
import { AppError } from '../../src/shared/errors';
import { OperationManager } from '../../src/main/services/operations';
import { PushService, createDockerClient, resolveDockerEndpoint } from '../../src/main/services/docker';
import { runPush } from '../../src/main/cli/commands/push';
import { startRegistry, type TestRegistry } from './helpers/registry';

const RUN = randomUUID().slice(0, 8);

let docker: Docker;
let registry: TestRegistry;
let dockerConfigDir: string;
let events: OperationEventData[];
let operations: OperationManager;
let image: string;
const localImages: string[] = [];

/** A tiny image (one file, no base) so a push takes a moment, not the base image's size. */
function importTinyImage(tag: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'tstudio-tiny-'));
  try {
    writeFileSync(join(dir, 'hello.txt'), `pushed by the tstudio tests ${RUN}\n`);
    const tar = execFileSync('tar', ['-C', dir, '-c', '.']);
    execFileSync('docker', ['import', '--change', 'LABEL tstudio.test=1', '-', tag], { input: tar });
    localImages.push(tag);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function docker_(args: string[], input?: string): string {
  return execFileSync('docker', ['--config', dockerConfigDir, ...args], {
    encoding: 'utf8',
    input,
    stdio: 'pipe',
  });
}

beforeAll(async () => {
  docker = createDockerClient(
    resolveDockerEndpoint({ env: process.env, home: tmpdir(), platform: process.platform }),
  );
  registry = await startRegistry();
  dockerConfigDir = mkdtempSync(join(tmpdir(), 'tstudio-docker-config-'));
  events = [];
  operations = new OperationManager({ event: (e) => events.push(e), stateChanged: () => undefined });
  image = `${registry.host}/tstudio-test/push:${RUN}`;
  importTinyImage(image);
});

afterAll(async () => {
  await operations.dispose();
  for (const tag of localImages) {
    try {
      await docker.getImage(tag).remove({ force: true });
    } catch {
      // Already removed by the test.
    }
  }
  await registry?.stop();
  rmSync(dockerConfigDir, { recursive: true, force: true });
});

describe('push to a real registry', () => {
  it('pushes with credentials entered in the app, reports layers and the digest, and the digest pulls back', async () => {
    const pushes = new PushService({ docker, operations, dockerConfig: { configDir: dockerConfigDir } });
    const started = pushes.start({
      image,
      credentials: { username: registry.username, password: registry.password },
    });
    const result = await started.done;
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.pinnedReference).toBe(`${registry.host}/tstudio-test/push@${result.digest}`);
    expect(result.credentialSource).toBe('app');
    expect(result.sizeBytes).toBeGreaterThan(0);
    const mine = events.filter((e) => e.opId === started.operationId);
    expect(mine.some((e) => e.type === 'push:authenticated')).toBe(true);
    const layers = mine
      .filter((e) => e.type === 'push:layerProgressed')
      .map((e) => e.data as PushLayerProgressData);
    expect(layers.some((l) => l.status === 'Pushed' || l.status === 'Layer already exists')).toBe(true);

    // Pull it back by digest with the real docker CLI, from an engine that no longer has it.
    docker_(['login', '--username', registry.username, '--password-stdin', registry.host], registry.password);
    execFileSync('docker', ['rmi', image]);
    docker_(['pull', result.pinnedReference]);
    localImages.push(result.pinnedReference);
    const digests = JSON.parse(
      docker_(['image', 'inspect', '--format', '{{json .RepoDigests}}', result.pinnedReference]),
    ) as string[];
    expect(digests).toContain(result.pinnedReference);
    docker_(['tag', result.pinnedReference, image]);
  });

  it('uses the credentials `docker login` stored in config.json when none are entered', async () => {
    const config = JSON.parse(readFileSync(join(dockerConfigDir, 'config.json'), 'utf8')) as {
      auths?: Record<string, { auth?: string }>;
    };
    expect(config.auths?.[registry.host]?.auth).toBeTruthy();
    const pushes = new PushService({ docker, operations, dockerConfig: { configDir: dockerConfigDir } });
    const result = await pushes.start({ image }).done;
    expect(result.credentialSource).toBe('docker-config');
    expect(result.digest).toMatch(/^sha256:/);
  });

  it('fails within seconds with REGISTRY_AUTH and a clear message on a wrong password', async () => {
    const pushes = new PushService({ docker, operations, dockerConfig: { configDir: dockerConfigDir } });
    const startedAt = Date.now();
    const started = pushes.start({
      image,
      credentials: { username: registry.username, password: 'wrong-password' },
    });
    const error = await started.done.then(
      () => null,
      (e: unknown) => AppError.from(e),
    );
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(error?.code).toBe('REGISTRY_AUTH');
    expect(error?.message).toContain(`${registry.host} refused the credentials of "${registry.username}"`);
    expect(error?.message).not.toContain('wrong-password');
    const mine = events.filter((e) => e.opId === started.operationId);
    expect(mine.some((e) => e.type === 'push:layerProgressed')).toBe(false);
  });

  it('says a login is needed when no credentials exist anywhere', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tstudio-docker-config-'));
    try {
      const pushes = new PushService({ docker, operations, dockerConfig: { configDir: empty } });
      const error = await pushes.start({ image }).done.then(
        () => null,
        (e: unknown) => AppError.from(e),
      );
      expect(error?.code).toBe('REGISTRY_AUTH');
      expect(error?.message).toContain(`docker login ${registry.host}`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('tstudio push (CLI function) pushes with config.json credentials and prints JSON lines; exits 1 on a bad image', async () => {
    let stdout = '';
    const code = await runPush(
      { image, json: true, dockerConfigDir },
      { stdout: (s) => (stdout += s), stderr: () => undefined },
    );
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as OperationEventData);
    const pushed = lines.find((e) => e.type === 'push:pushed');
    expect(pushed?.data).toMatchObject({
      credentialSource: 'docker-config',
      digest: expect.stringMatching(/^sha256:/),
    });

    let stderr = '';
    const missing = await runPush(
      { image: `${registry.host}/tstudio-test/never-built:${RUN}`, dockerConfigDir },
      { stdout: () => undefined, stderr: (s) => (stderr += s) },
    );
    expect(missing).toBe(1);
    expect(stderr).toContain('There is no local image');
  });
});
