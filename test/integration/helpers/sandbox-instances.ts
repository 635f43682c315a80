/**
 * The Vast sandbox with real containers, as the instance tests use it: each instance is a local run
 * of the demo template (built on demand under a tag of the test's own, or the shared tstudio/demo:dev)
 * with a real sshd. Everything it makes carries a harness label, so cleanup() removes exactly that.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { LocalRunServiceOptions } from '../../../src/main/services/launch';
import {
  ContainerBackend,
  VastClient,
  VastSandbox,
  type VastClientOptions,
  type VastConnection,
} from '../../../src/main/services/vast/index';
import { DEMO_TEMPLATE_DIR, TEST_LABELS, type TestKey } from './demo-image';

/** Instances come up in well under a second instead of Vast's minutes. */
export const FAST_SANDBOX_TIMINGS = { provisionMs: 50, loadingMs: 100, transitionMs: 50 };

/** Runs logged into with a test key (see makeTestKey), for sandboxInstancesHarness's `runs`. */
export function runsWithTestKey(key: TestKey) {
  return async (dataDir: string, labels: Record<string, string>): Promise<LocalRunServiceOptions> => ({
    dataDir,
    sshPublicKey: key.publicKey,
    identityFile: key.identityFile,
    labels,
  });
}

export interface SandboxInstancesHarness {
  docker: Docker;
  dataDir: string;
  /** The labels every container of this harness carries. */
  labels: Record<string, string>;
  harness: string;
  /** The image instances are launched with: `tstudio-test/demo:<name>-<harness>`, or the one asked for. */
  image: string;
  sandbox: VastSandbox;
  connection: VastConnection;
  /** A client of this sandbox; tests poll faster than Vast's docs ask. */
  client(options?: Partial<VastClientOptions>): VastClient;
  /** Closes the sandbox and removes this harness's containers, its test image and its data dir. */
  cleanup(): Promise<void>;
}

export async function sandboxInstancesHarness(options: {
  /** Names the data dir and the test image. */
  name: string;
  /** How instances' runs are made, given the harness's data dir and labels (the app key goes here). */
  runs: (dataDir: string, labels: Record<string, string>) => Promise<LocalRunServiceOptions>;
  /** An image to use instead of a test tag of the harness's own (which cleanup removes). */
  image?: string;
  readyTimeoutMs?: number;
}): Promise<SandboxInstancesHarness> {
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const harness = randomBytes(6).toString('hex');
  const labels = { ...TEST_LABELS, 'tstudio.test.harness': harness };
  const image = options.image ?? `tstudio-test/demo:${options.name}-${harness}`;
  const dataDir = await mkdtemp(join(tmpdir(), `tstudio-it-${options.name}-`));
  const sandbox = new VastSandbox({
    backend: new ContainerBackend({
      docker,
      runs: await options.runs(dataDir, labels),
      buildable: { [image]: DEMO_TEMPLATE_DIR },
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    }),
    timings: FAST_SANDBOX_TIMINGS,
  });
  const connection: VastConnection = {
    apiKey: sandbox.apiKey,
    baseUrl: await sandbox.start(),
    sandbox: true,
    hasKey: false,
  };
  return {
    docker,
    dataDir,
    labels,
    harness,
    image,
    sandbox,
    connection,
    client: (clientOptions) =>
      new VastClient({
        apiKey: connection.apiKey,
        baseUrl: connection.baseUrl,
        pollIntervalMs: 200,
        backoffMs: 5,
        ...clientOptions,
      }),
    async cleanup() {
      await sandbox.close();
      const left = await docker.listContainers({
        all: true,
        filters: { label: [`tstudio.test.harness=${harness}`] },
      });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
      if (!options.image)
        await docker
          .getImage(image)
          .remove({ force: true })
          .catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
