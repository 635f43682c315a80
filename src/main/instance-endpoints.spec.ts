import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceEndpoints, publishedUrl } from './instance-endpoints';
import { VastClient, VastSandbox, type VastInstanceData } from './services/vast';

// The sandbox without containers: the real HTTP API, instances with listed ports but nothing behind them.
let sandbox: VastSandbox;
let client: VastClient;
let offerId: number;
let calls = 0;

beforeAll(async () => {
  sandbox = new VastSandbox({ timings: { provisionMs: 5, loadingMs: 5, transitionMs: 5 } });
  client = new VastClient({ apiKey: sandbox.apiKey, baseUrl: await sandbox.start(), pollIntervalMs: 10 });
  offerId = (await client.searchOffers({ verified: false })).offers[0]!.id;
});

afterAll(async () => {
  await sandbox?.close();
});

function endpoints(now: () => number) {
  return new InstanceEndpoints(async () => {
    calls++;
    return { apiKey: sandbox.apiKey, baseUrl: sandbox.url, sandbox: true, hasKey: false };
  }, now);
}

describe('InstanceEndpoints', () => {
  it('finds a running instance the way vastai ssh-url does and asks the API again only after 30 s or a forget', async () => {
    const { instanceId } = await client.createInstance(offerId, { image: 'busybox:latest', mode: 'ssh' });
    const running = await client.waitUntilRunning(instanceId);
    let now = 1_000;
    const e = endpoints(() => now);
    calls = 0;
    const first = await e.resolve(instanceId);
    expect(first.target.user).toBe('root');
    expect(first.target.port).toBe(Number(running.ports?.['22/tcp']?.[0]?.HostPort ?? running.ssh_port));
    now += 29_999;
    await e.resolve(instanceId);
    expect(calls).toBe(1);
    e.forget(instanceId);
    await e.resolve(instanceId);
    expect(calls).toBe(2);
    now += 30_000;
    await e.resolve(instanceId);
    expect(calls).toBe(3);
  });

  it('refuses an instance that does not run, saying to wait', async () => {
    const { instanceId } = await client.createInstance(offerId, { image: 'busybox:latest', mode: 'ssh' });
    await client.waitUntilRunning(instanceId);
    await client.stopInstance(instanceId);
    await expect
      .poll(async () => (await client.getInstance(instanceId)).actual_status, { timeout: 10_000 })
      .not.toBe('running');
    await expect(endpoints(Date.now).resolve(instanceId)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/Wait until it runs/),
    });
  });
});

describe('publishedUrl', () => {
  const instance = (ports: VastInstanceData['ports'], ip = '203.0.113.7') =>
    ({ id: 1, public_ipaddr: ip, ports }) as unknown as VastInstanceData;

  it('points at the public address and the host port of a published container port', () => {
    expect(
      publishedUrl(instance({ '8000/tcp': [{ HostIp: '0.0.0.0', HostPort: '41234' }] }), 8000, '/x'),
    ).toBe('http://203.0.113.7:41234/x');
  });

  it('brackets IPv6 and gives null for a port that is not published', () => {
    expect(
      publishedUrl(instance({ '8000/tcp': [{ HostIp: '::', HostPort: '41234' }] }, '2001:db8::1'), 8000),
    ).toBe('http://[2001:db8::1]:41234/');
    expect(publishedUrl(instance({}), 8000)).toBeNull();
  });
});
