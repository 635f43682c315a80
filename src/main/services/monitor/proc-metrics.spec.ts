import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cpuPercentBetween,
  netRatesBetween,
  parseDfP,
  parseMeminfo,
  parseNetDev,
  parseProcSample,
  parseProcStat,
  procSampleValues,
} from './proc-metrics';

// Real output of PROC_SAMPLE_SCRIPT: inside a demo container (network none) and on a 2-core host,
// twice, 3 s apart with work in between.
const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'proc');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('parseProcStat', () => {
  it('reads the aggregate line and counts the cores', () => {
    const cpu = parseProcStat(
      'cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 50 2 25 400 10 0 1 1 0 0\ncpu1 50 3 25 400 10 1 1 2 0 0\nintr 1\n',
    );
    expect(cpu).toEqual({ total: 981, busy: 981 - 800 - 20, cores: 2 });
  });

  it('gives null for text that is not /proc/stat', () => {
    expect(parseProcStat('no such file')).toBeNull();
  });
});

describe('parseMeminfo', () => {
  it('reads MemTotal and MemAvailable in bytes', () => {
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n')).toEqual({
      totalBytes: 1_024_000,
      availableBytes: 614_400,
    });
  });

  it('falls back to free + buffers + cached on kernels without MemAvailable', () => {
    expect(
      parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n')?.availableBytes,
    ).toBe(400 * 1024);
  });
});

describe('parseNetDev', () => {
  it('sums every interface but loopback, even with long names that touch the colon', () => {
    const net = parseNetDev(
      fixture('host-sample-1.txt').split('<<tstudio:netdev>>')[1]!.split('<<tstudio:df>>')[0]!,
    );
    expect(net).not.toBeNull();
    expect(net!.rxBytes).toBeGreaterThan(0);
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:  900 1 0 0 0 0 0 0  900 1 0 0 0 0 0 0',
      'vethfec298b:    3501      14    0    0    0     0          0         0     5918      66    0    0    0     0       0          0',
      '  eth0: 100 1 0 0 0 0 0 0 20 1 0 0 0 0 0 0',
    ].join('\n');
    expect(parseNetDev(text)).toMatchObject({ rxBytes: 3601, txBytes: 5938 });
  });

  it('reads a box with loopback only as zero traffic, not as unknown', () => {
    const s = parseProcSample(fixture('container-sample.txt'), 0);
    expect(s.net).toEqual({ rxBytes: 0, txBytes: 0, byInterface: {} });
  });
});

describe('parseDfP', () => {
  it('reads 1024-blocks, used and available of /', () => {
    expect(
      parseDfP(
        'Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda  1000 250 700  27% /\n',
      ),
    ).toEqual({ totalBytes: 1_024_000, usedBytes: 256_000, availableBytes: 716_800 });
  });
});

describe('parseProcSample', () => {
  it('reads every part of a real container sample and reports the missing GPU as absent', () => {
    const s = parseProcSample(fixture('container-sample.txt'), 1000);
    expect(s.cpu?.cores).toBeGreaterThanOrEqual(1);
    expect(s.mem?.totalBytes).toBeGreaterThan(0);
    expect(s.disk?.totalBytes).toBeGreaterThan(0);
    expect(s.gpu).toEqual({ status: 'absent' });
    const values = procSampleValues(s, null);
    // One reading gives no CPU % and no rates, and never a GPU number it does not have.
    expect(values.cpu).toBeUndefined();
    expect(values.netRx).toBeUndefined();
    expect(values.gpuUtil).toBeUndefined();
    expect(values.mem).toBeGreaterThan(0);
    expect(values.mem).toBeLessThan(100);
  });

  it('gives CPU % and network rates from two real host samples', () => {
    const a = parseProcSample(fixture('host-sample-1.txt'), 0);
    const b = parseProcSample(fixture('host-sample-2.txt'), 3000);
    const v = procSampleValues(b, a);
    expect(v.cpu).toBeGreaterThan(0);
    expect(v.cpu).toBeLessThanOrEqual(100 * b.cpu!.cores);
    expect(v.netRx).toBeGreaterThanOrEqual(0);
    expect(v.disk).toBeCloseTo(24, 0);
  });

  it('reads nvidia-smi when present, and its failure as an error rather than a number', () => {
    const base = fixture('container-sample.txt').split('<<tstudio:gpu>>')[0]!;
    const ok = parseProcSample(
      `${base}<<tstudio:gpu>>\n45, 1024, 24564\n15, 3072, 24564\n<<tstudio:gpu-rc>>0\n`,
      0,
    );
    expect(ok.gpu).toEqual({ status: 'ok', util: 30, memPercent: (4096 / 49128) * 100, gpus: 2 });
    expect(procSampleValues(ok, null).gpuUtil).toBe(30);
    const failed = parseProcSample(
      `${base}<<tstudio:gpu>>\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n<<tstudio:gpu-rc>>9\n`,
      0,
    );
    expect(failed.gpu).toEqual({
      status: 'error',
      message: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });
    expect(procSampleValues(failed, null).gpuUtil).toBeUndefined();
  });

  it('keeps the parts it can read when one is garbled', () => {
    const s = parseProcSample(
      '<<tstudio:stat>>\ngarbage\n<<tstudio:meminfo>>\nMemTotal: 10 kB\nMemAvailable: 5 kB\n',
      0,
    );
    expect(s.cpu).toBeNull();
    expect(s.mem?.totalBytes).toBe(10_240);
    expect(s.disk).toBeNull();
  });
});

describe('netRatesBetween', () => {
  const reading = (at: number, byInterface: Record<string, { rx: number; tx: number }>) => ({
    ...parseProcSample('', at),
    net: { rxBytes: 0, txBytes: 0, byInterface },
  });

  it('leaves out an interface that went away or was re-created', () => {
    const a = reading(0, { eth0: { rx: 1000, tx: 500 }, veth1: { rx: 9000, tx: 9000 } });
    const b = reading(2000, { eth0: { rx: 3000, tx: 700 }, veth2: { rx: 10, tx: 10 } });
    expect(netRatesBetween(b, a)).toEqual({ rxPerSec: 1000, txPerSec: 100 });
  });
});

describe('cpuPercentBetween', () => {
  it('is 100 per busy core, like docker stats', () => {
    expect(cpuPercentBetween({ busy: 150, total: 200, cores: 2 }, { busy: 50, total: 100, cores: 2 })).toBe(
      200,
    );
    expect(cpuPercentBetween({ busy: 75, total: 200, cores: 2 }, { busy: 50, total: 100, cores: 2 })).toBe(
      50,
    );
  });

  it('gives null when the counters went back (a reboot between samples)', () => {
    expect(
      cpuPercentBetween({ busy: 10, total: 20, cores: 1 }, { busy: 50, total: 100, cores: 1 }),
    ).toBeNull();
  });
});
