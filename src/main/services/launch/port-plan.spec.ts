import { describe, expect, it } from 'vitest';
import { dockerPortConfig, parsePortSpec, planPorts, portEnv, portMap } from './port-plan';

function counter(start: number) {
  let next = start;
  return async () => next++;
}

describe('parsePortSpec', () => {
  it('reads the container side of every spelling Vast accepts', () => {
    expect(parsePortSpec('8000')).toEqual({ containerPort: 8000, protocol: 'tcp' });
    expect(parsePortSpec('8000:8000')).toEqual({ containerPort: 8000, protocol: 'tcp' });
    expect(parsePortSpec('1111:18000/udp')).toEqual({ containerPort: 18000, protocol: 'udp' });
    expect(parsePortSpec('22/tcp')).toEqual({ containerPort: 22, protocol: 'tcp' });
    expect(parsePortSpec('70000:70000')).toEqual({ containerPort: 70000, protocol: 'tcp' });
  });
  it('refuses what is not a port', () => {
    expect(() => parsePortSpec('abc')).toThrow(/not a port/);
    expect(() => parsePortSpec('0')).toThrow(/out of range/);
    expect(() => parsePortSpec('66000')).toThrow(/out of range/);
  });
});

describe('planPorts', () => {
  it('chooses a host port per request, once per port, before anything is created', async () => {
    const planned = await planPorts(
      [
        { containerPort: 22, protocol: 'tcp' },
        { containerPort: 8000, protocol: 'tcp' },
        { containerPort: 22, protocol: 'tcp' },
        { containerPort: 8000, protocol: 'udp' },
      ],
      counter(40000),
    );
    expect(planned.map((p) => [p.containerPort, p.protocol, p.hostPort])).toEqual([
      [22, 'tcp', 40000],
      [8000, 'tcp', 40001],
      [8000, 'udp', 40002],
    ]);
    expect(portEnv(planned)).toEqual({
      VAST_TCP_PORT_22: '40000',
      VAST_TCP_PORT_8000: '40001',
      VAST_UDP_PORT_8000: '40002',
    });
    expect(portMap(planned)).toEqual({ '22/tcp': 40000, '8000/tcp': 40001, '8000/udp': 40002 });
  });

  it('maps a request of 70000 and above to the same port inside and out', async () => {
    const [identity] = await planPorts([{ containerPort: 72299, protocol: 'tcp' }], counter(41000));
    expect(identity).toMatchObject({
      containerPort: 41000,
      hostPort: 41000,
      identity: true,
      requested: 72299,
    });
    expect(portEnv([identity!])).toEqual({ VAST_TCP_PORT_72299: '41000' });
    expect(dockerPortConfig([identity!]).PortBindings).toEqual({
      '41000/tcp': [{ HostIp: '127.0.0.1', HostPort: '41000' }],
    });
  });

  it('keeps pinned host ports and never hands out the same port twice', async () => {
    const picks = [5000, 5000, 5001];
    const planned = await planPorts(
      [
        { containerPort: 22, protocol: 'tcp' },
        { containerPort: 80, protocol: 'tcp' },
        { containerPort: 8080, protocol: 'tcp' },
      ],
      async () => picks.shift() ?? 6000,
      { '8080/tcp': 18080 },
    );
    expect(planned.map((p) => p.hostPort)).toEqual([5000, 5001, 18080]);
  });

  it('publishes on 127.0.0.1 only', async () => {
    const planned = await planPorts([{ containerPort: 22, protocol: 'tcp' }], counter(42000));
    const cfg = dockerPortConfig(planned);
    expect(cfg.ExposedPorts).toEqual({ '22/tcp': {} });
    expect(cfg.PortBindings['22/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '42000' }]);
  });

  it('refuses more ports than Vast opens', async () => {
    const many = Array.from({ length: 65 }, (_, i) => ({
      containerPort: 1000 + i,
      protocol: 'tcp' as const,
    }));
    await expect(planPorts(many, counter(43000))).rejects.toThrow(/at most 64/);
  });
});
