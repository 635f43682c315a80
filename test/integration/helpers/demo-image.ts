/**
 * The demo template (resources/demo-template) built once per test file on top of tstudio/base:bookworm,
 * under a test tag and label, plus an app key for runs. The engine's layer cache makes the second
 * and later builds near-instant; each file removes what it made in afterAll.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import ssh2 from 'ssh2';
import { buildImageFromFolder, LocalRunService } from '../../../src/main/services/launch';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const DEMO_TEMPLATE_DIR = join(REPO_ROOT, 'resources', 'demo-template');
export const DEMO_TEST_IMAGE = 'tstudio-test/demo:it';
export const TEST_LABELS = { 'tstudio.test': '1' };

export interface TestKey {
  dir: string;
  identityFile: string;
  publicKey: string;
}

export async function makeTestKey(): Promise<TestKey> {
  const dir = await mkdtemp(join(tmpdir(), 'tstudio-it-key-'));
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'tstudio-it' });
  const identityFile = join(dir, 'id_ed25519');
  await writeFile(identityFile, pair.private, { mode: 0o600 });
  await chmod(identityFile, 0o600);
  await writeFile(`${identityFile}.pub`, `${pair.public}\n`);
  return { dir, identityFile, publicKey: pair.public };
}

export async function buildDemoImage(
  docker: Docker,
  dir = DEMO_TEMPLATE_DIR,
  tag = DEMO_TEST_IMAGE,
): Promise<string> {
  await buildImageFromFolder(docker, dir, tag, { labels: TEST_LABELS });
  return tag;
}

export interface DemoHarness {
  docker: Docker;
  key: TestKey;
  runs: LocalRunService;
  dataDir: string;
  image: string;
  cleanup(): Promise<void>;
}

/** Engine, key, a LocalRunService that labels everything tstudio.test=1, and the demo image. */
export async function demoHarness(): Promise<DemoHarness> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const key = await makeTestKey();
  const dataDir = await mkdtemp(join(tmpdir(), 'tstudio-it-data-'));
  const runs = new LocalRunService(docker, {
    dataDir,
    sshPublicKey: key.publicKey,
    identityFile: key.identityFile,
    labels: TEST_LABELS,
  });
  const image = await buildDemoImage(docker);
  return {
    docker,
    key,
    runs,
    dataDir,
    image,
    async cleanup() {
      await removeTestContainers(docker);
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      await rm(key.dir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every container a test made (label tstudio.test=1 and a run label), removed. */
export async function removeTestContainers(docker: Docker): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: ['tstudio.test=1', 'tstudio.run=1'] },
  });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}

/** Polls `probe` until it returns a value that is not undefined, or fails after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
