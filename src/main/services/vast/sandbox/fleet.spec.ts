import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VastClient } from '../vast-client';
import { VastSandbox } from './sandbox-server';

// The no-container backend exists so the sandbox can hold a fleet: 500 instances, paged lists.
let sandbox: VastSandbox;
let client: VastClient;

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 5, loadingMs: 5, transitionMs: 5 } });
  client = new VastClient({ apiKey: sandbox.apiKey, baseUrl: await sandbox.start(), pollIntervalMs: 10 });
});

afterAll(async () => {
  await sandbox.close();
});

describe('a fleet of 500 sandbox instances', () => {
  it('creates them, runs them, and pages through all of them', async () => {
    const { offers } = await client.searchOffers({ verified: false });
    const ids: number[] = [];
    for (let i = 0; i < 500; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          client.createInstance(offers[(i + j) % offers.length]!.id, {
            image: 'busybox:latest',
            mode: 'args',
            label: `fleet-${i + j}`,
          }),
        ),
      );
      ids.push(...batch.map((b) => b.instanceId));
    }
    expect(new Set(ids).size).toBe(500);
    await client.waitUntilRunning(ids[499]!);
    const deadline = Date.now() + 10_000;
    let running = 0;
    while (Date.now() < deadline) {
      running = (await client.listInstances({ selectFilters: { actual_status: { eq: 'running' } } })).length;
      if (running === 500) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(running).toBe(500);
    const all = await client.listInstances();
    expect(all.map((i) => i.id)).toEqual([...ids].sort((a, b) => a - b));
  });
});
