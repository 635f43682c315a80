import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecTransport } from '../supervisor/index';
import { InstanceMetricsSampler, type InstanceMetricsData } from './instance-metrics';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'proc');
const SAMPLES = ['host-sample-1.txt', 'host-sample-2.txt'].map((f) =>
  readFileSync(join(FIXTURES, f), 'utf8'),
);

/** A transport that answers the sample script with the recorded host samples, in turn, and counts calls. */
function recordedBox() {
  let calls = 0;
  const transport: ExecTransport = {
    exec: async () => ({ stdout: SAMPLES[calls++ % SAMPLES.length]!, stderr: '', exitCode: 0 }),
    stream: async () => ({ exitCode: 0 }),
  };
  return { transport, calls: () => calls };
}

describe('InstanceMetricsSampler', () => {
  it('reads at most once per interval, however often it is asked', async () => {
    let now = 0;
    const box = recordedBox();
    const sampler = new InstanceMetricsSampler({
      transportFor: async () => box.transport,
      minIntervalMs: 5000,
      now: () => now,
    });
    const first = await sampler.sample(7);
    expect(first.cpuPercent).toBeNull();
    expect(await sampler.sample(7)).toBe(first);
    now = 4999;
    await Promise.all([sampler.sample(7), sampler.sample(7)]);
    expect(box.calls()).toBe(1);
    now = 5000;
    const second = await sampler.sample(7);
    expect(box.calls()).toBe(2);
    expect(second.cpuPercent).toBeGreaterThan(0);
    expect(second.cpuPercent).toBeLessThanOrEqual(100 * second.cores!);
    expect(second.values.cpu).toBe(second.cpuPercent);
  });

  it('samples while watched, tells every watcher and the sink, and stops when the last one leaves', async () => {
    const box = recordedBox();
    const sunk: InstanceMetricsData[] = [];
    const sampler = new InstanceMetricsSampler({
      transportFor: async () => box.transport,
      minIntervalMs: 10,
      onSample: (s) => sunk.push(s),
    });
    const a: InstanceMetricsData[] = [];
    const b: InstanceMetricsData[] = [];
    const stopA = sampler.watch(3, { onSample: (s) => a.push(s) });
    const stopB = sampler.watch(3, { onSample: (s) => b.push(s) });
    await expect.poll(() => a.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    stopA();
    expect(sampler.watching()).toEqual([3]);
    const bBefore = b.length;
    await expect.poll(() => b.length, { timeout: 5000 }).toBeGreaterThan(bBefore);
    stopB();
    expect(sampler.watching()).toEqual([]);
    const calls = box.calls();
    // Nothing runs after the last watcher left: an exec takes a tick, so wait for one more sample's worth.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(box.calls()).toBeLessThanOrEqual(calls + 1);
    expect(sunk.length).toBeGreaterThanOrEqual(a.length);
  });

  it('reports a failing box to its watchers and keeps trying', async () => {
    let fail = true;
    const box = recordedBox();
    const sampler = new InstanceMetricsSampler({
      transportFor: async () => {
        if (fail) throw new Error('ssh: connection refused');
        return box.transport;
      },
      minIntervalMs: 10,
    });
    const errors: unknown[] = [];
    const samples: InstanceMetricsData[] = [];
    const stop = sampler.watch(9, { onError: (e) => errors.push(e), onSample: (s) => samples.push(s) });
    await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(0);
    fail = false;
    await expect.poll(() => samples.length, { timeout: 5000 }).toBeGreaterThan(0);
    stop();
  });
});
