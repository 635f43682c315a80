import { describe, expect, it } from 'vitest';
import { buildOfferQuery, numericDriverVersion, parseOrder, parseQueryString } from './offer-query';

describe('parseQueryString (the CLI parse_query)', () => {
  it('keeps numbers as strings and turns _ into spaces', () => {
    expect(parseQueryString('num_gpus=1 gpu_name=RTX_4090')).toEqual({
      num_gpus: { eq: '1' },
      gpu_name: { eq: 'RTX 4090' },
    });
  });

  it('reads every operator spelling', () => {
    expect(parseQueryString('a>=1 b>2 c<=3 d<4 e!=5 f==6 g gte 7 h in [x,y] i notin [z] j nin [w]')).toEqual({
      a: { gte: '1' },
      b: { gt: '2' },
      c: { lte: '3' },
      d: { lt: '4' },
      e: { neq: '5' },
      f: { eq: '6' },
      g: { gte: '7' },
      h: { in: ['x', 'y'] },
      i: { notin: ['z'] },
      j: { notin: ['w'] },
    });
  });

  it('applies unit multipliers, aliases, literals and the driver version number', () => {
    expect(
      parseQueryString(
        'gpu_ram>=24 duration>=2 cuda_vers>=12.4 dph<1 verified=true rented=False x=null driver_version>=535.86.05',
      ),
    ).toEqual({
      gpu_ram: { gte: 24000 },
      duration: { gte: 172800 },
      cuda_max_good: { gte: '12.4' },
      dph_total: { lt: '1' },
      verified: { eq: true },
      rented: { eq: false },
      x: { eq: null },
      driver_version: { gte: '535086005' },
    });
    expect(numericDriverVersion('535.86.05')).toBe(535086005);
  });

  it('drops a filter on a wildcard and merges ops on one field', () => {
    expect(parseQueryString('num_gpus>=2 num_gpus<=4 verified=any', { verified: { eq: true } })).toEqual({
      num_gpus: { gte: '2', lte: '4' },
    });
  });

  it('refuses what it cannot read', () => {
    expect(() => parseQueryString('num_gpus~2')).toThrow(/operator|read/);
    expect(() => parseQueryString('verified>any')).toThrow(/wildcard/i);
  });
});

describe('buildOfferQuery', () => {
  it('starts from the CLI default filters and its default order and type', () => {
    expect(buildOfferQuery({})).toEqual({
      verified: { eq: true },
      external: { eq: false },
      rentable: { eq: true },
      rented: { eq: false },
      order: [['score', 'desc']],
      type: 'on-demand',
    });
  });

  it('maps every filter with the server units', () => {
    const q = buildOfferQuery({
      gpuName: 'RTX_5090',
      minNumGpus: 2,
      minGpuRamGb: 24,
      maxDphTotal: 1.5,
      minReliability: 0.98,
      minCuda: 12.4,
      minDiskGb: 100,
      countries: ['us', 'CA'],
      minDirectPorts: 16,
      type: 'bid',
      order: 'dph_total,reliability-',
      limit: 10,
      verified: false,
      extraFilters: { compute_cap: { gte: 750 }, cuda_vers: 12.1 },
    });
    expect(q).toMatchObject({
      gpu_name: { eq: 'RTX 5090' },
      num_gpus: { gte: '2' },
      gpu_ram: { gte: 24000 },
      dph_total: { lte: '1.5' },
      reliability: { gte: '0.98' },
      cuda_max_good: { gte: '12.4', eq: 12.1 },
      disk_space: { gte: '100' },
      geolocation: { in: ['US', 'CA'] },
      direct_port_count: { gte: '16' },
      compute_cap: { gte: 750 },
      type: 'bid',
      limit: 10,
      order: [
        ['dph_total', 'asc'],
        ['reliability', 'desc'],
      ],
    });
    expect(q.verified).toBeUndefined();
  });

  it('reads CLI order strings', () => {
    expect(parseOrder('dph, num_gpus-')).toEqual([
      ['dph_total', 'asc'],
      ['num_gpus', 'desc'],
    ]);
  });
});
