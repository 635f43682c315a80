import { describe, expect, it } from 'vitest';
import { instanceFleetState, runFleetState, transitionOf } from './fleet-state';
import { parseNvidiaSmi, percentOf, instanceSample, runSample, countersOf } from './metrics';

describe('instanceFleetState', () => {
  it('reads Vast statuses the way the overview counts them', () => {
    expect(instanceFleetState({ actual_status: null })).toBe('provisioning');
    expect(instanceFleetState({ actual_status: 'loading' })).toBe('loading');
    expect(instanceFleetState({ actual_status: 'running', intended_status: 'running' })).toBe('running');
    expect(instanceFleetState({ actual_status: 'stopped', intended_status: 'stopped' })).toBe('stopped');
    expect(instanceFleetState({ actual_status: 'exited', intended_status: 'running' })).toBe('failed');
    expect(instanceFleetState({ actual_status: 'exited', intended_status: 'stopped' })).toBe('stopped');
    expect(
      instanceFleetState({
        actual_status: 'loading',
        status_msg: 'Error response from daemon: manifest unknown',
      }),
    ).toBe('failed');
    expect(instanceFleetState({ actual_status: 'frozen' })).toBe('unknown');
  });
});

describe('runFleetState', () => {
  it('tells a docker stop from a crash by the exit code', () => {
    expect(runFleetState('exited', 'Exited (143) 2 minutes ago')).toBe('stopped');
    expect(runFleetState('exited', 'Exited (0) 2 minutes ago')).toBe('stopped');
    expect(runFleetState('exited', 'Exited (1) 2 minutes ago')).toBe('failed');
    expect(runFleetState('running', 'Up 3 minutes')).toBe('running');
    expect(runFleetState('dead', '')).toBe('failed');
  });
});

describe('transitionOf', () => {
  it('says nothing on first sight or when nothing changed', () => {
    expect(transitionOf(undefined, 'running')).toBeNull();
    expect(transitionOf('running', 'running')).toBeNull();
    expect(transitionOf('loading', 'running')).toBe('ready');
    expect(transitionOf('running', 'stopped')).toBe('stopped');
    expect(transitionOf('loading', 'failed')).toBe('failed');
    expect(transitionOf('failed', 'stopped')).toBeNull();
  });
});

describe('metrics', () => {
  it('reads Vast fractions and percents alike', () => {
    expect(percentOf(0.35)).toBeCloseTo(35);
    expect(percentOf(87)).toBe(87);
    expect(percentOf(-1)).toBeUndefined();
    expect(percentOf(null)).toBeUndefined();
  });

  it('charts an instance only while it runs', () => {
    expect(instanceSample({ actual_status: 'loading', gpu_util: 50 })).toEqual({});
    const s = instanceSample({
      actual_status: 'running',
      gpu_util: 0.5,
      cpu_util: 0.01,
      mem_usage: 0.3,
      mem_limit: 3,
      disk_usage: 5,
      disk_space: 20,
      vmem_usage: 12_000,
      gpu_ram: 24_000,
    });
    expect(s.gpuUtil).toBeCloseTo(50);
    expect(s.cpu).toBeCloseTo(1);
    expect(s.mem).toBeCloseTo(10);
    expect(s.disk).toBeCloseTo(25);
    expect(s.gpuMem).toBeCloseTo(50);
  });

  it('computes docker stats like the CLI, and network rates between polls', () => {
    const first = {
      cpu_stats: { cpu_usage: { total_usage: 2_000 }, system_cpu_usage: 20_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 10_000 },
      memory_stats: { usage: 600, limit: 1000, stats: { inactive_file: 100 } },
      networks: { eth0: { rx_bytes: 1000, tx_bytes: 500 } },
    };
    const c1 = countersOf(first, 0);
    const s1 = runSample(first, c1, null);
    // (1000 / 10000) × 2 cores × 100
    expect(s1.cpu).toBeCloseTo(20);
    expect(s1.mem).toBeCloseTo(50);
    expect(s1.netRx).toBeUndefined();
    const second = { ...first, networks: { eth0: { rx_bytes: 21_000, tx_bytes: 10_500 } } };
    const s2 = runSample(second, countersOf(second, 10_000), c1);
    expect(s2.netRx).toBeCloseTo(2000);
    expect(s2.netTx).toBeCloseTo(1000);
  });

  it('parses nvidia-smi csv across GPUs and skips [N/A]', () => {
    expect(parseNvidiaSmi('40, 1000, 10000\n60, 3000, 10000\n')).toEqual({
      gpuUtil: 50,
      gpuMem: 20,
      gpus: 2,
    });
    expect(parseNvidiaSmi('[N/A], [N/A], [N/A]\n')).toBeNull();
    expect(parseNvidiaSmi('NVIDIA-SMI has failed')).toBeNull();
  });
});
