/**
 * The demo template (resources/demo-template) built once per test file on top of tstudio/base:bookworm,
 * under a test tag and label, plus an app key for runs. The engine's layer cache makes the second
 * and later builds near-instant; each file removes what it made in afterAll.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import { buildImageFromFolder, LocalRunService } from '../../../src/main/services/launch';
import { generateEd25519KeyPair } from '../../../src/main/services/ssh';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
export const DEMO_TEMPLATE_DIR = join(REPO_ROOT, 'resources', 'demo-template');
export const DEMO_TEST_IMAGE = 'tstudio-test/demo:it';
export const TEST_LABELS = { 'tstudio.test': '1' };
const HARNESS_LABEL = 'tstudio.test.harness';

export interface TestKey {
  dir: string;
  identityFile: string;
  publicKey: string;
}

export async function makeTestKey(): Promise<TestKey> {
  const dir = await mkdtemp(join(tmpdir(), 'tstudio-it-key-'));
  const pair = generateEd25519KeyPair('tstudio-it');
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
  /** The labels its runs carry (a LocalRunService built by a test should use them too). */
  labels: Record<string, string>;
  /** Containers this harness's runs created and that still exist. */
  leftoverContainers(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Engine, key, a LocalRunService that labels everything tstudio.test=1, and the demo image. */
export async function demoHarness(): Promise<DemoHarness> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const key = await makeTestKey();
  const dataDir = await mkdtemp(join(tmpdir(), 'tstudio-it-data-'));
  // Its own label and tag, so that test runs sharing the engine (another checkout, CI) never remove
  // each other's containers or image; the build cache still makes every build after the first cheap.
  const harness = randomBytes(6).toString('hex');
  const runs = new LocalRunService(docker, {
    dataDir,
    sshPublicKey: key.publicKey,
    identityFile: key.identityFile,
    labels: { ...TEST_LABELS, [HARNESS_LABEL]: harness },
  });
  const image = await buildDemoImage(docker, DEMO_TEMPLATE_DIR, `${DEMO_TEST_IMAGE}-${harness}`);
  return {
    docker,
    key,
    runs,
    dataDir,
    image,
    labels: { ...TEST_LABELS, [HARNESS_LABEL]: harness },
    async leftoverContainers() {
      const containers = await docker.listContainers({
        all: true,
        filters: { label: [`${HARNESS_LABEL}=${harness}`] },
      });
      return containers.map((c) => c.Id);
    },
    async cleanup() {
      await removeTestContainers(docker, harness);
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => undefined);
      await rm(key.dir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every run container one harness made, removed. */
export async function removeTestContainers(docker: Docker, harness: string): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: ['tstudio.test=1', 'tstudio.run=1', `${HARNESS_LABEL}=${harness}`] },
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

/**
 * A template folder on an already built image (the demo's, usually) with the given template.yml
 * lines after its image and tag: a test's own onstart, env or runtype without a build.
 */
export async function demoImageTemplate(image: string, lines: string[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tstudio-it-template-'));
  await mkdir(join(dir, 'templates', 'default'), { recursive: true });
  const [repo, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
  await writeFile(
    join(dir, 'templates', 'default', 'template.yml'),
    ['name: Test template', `image: ${repo}`, `tag: ${tag}`, ...lines, ''].join('\n'),
  );
  return dir;
}
