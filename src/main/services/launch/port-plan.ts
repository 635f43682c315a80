import { AppError } from '../../../shared/errors';

export type Protocol = 'tcp' | 'udp';

/** A port the instance asks for, as in a template's `ports` or `-p` flags. */
export interface PortRequest {
  containerPort: number;
  protocol: Protocol;
}

export interface PlannedPort extends PortRequest {
  hostPort: number;
  /** `>= 70000` requests are identity maps: one random port, the same inside and out. */
  identity: boolean;
  /** The number the template asked for (`70000` for an identity map, else the container port). */
  requested: number;
}

/** Vast's per-instance limit on open ports. */
export const MAX_PORTS = 64;
export const IDENTITY_PORT_FLOOR = 70_000;

/**
 * Reads `8000`, `8000:8000`, `8000/udp`, `1111:1111/tcp`: Vast ignores the host side of `-p` (it picks
 * the external port), so only the container side counts.
 */
export function parsePortSpec(spec: string): PortRequest {
  const trimmed = spec.trim();
  const match = /^(?:.*:)?(\d{1,6})(?:\/(tcp|udp))?$/i.exec(trimmed);
  if (!match || match[1] === undefined) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `"${spec}" is not a port: write it as 8000, 8000:8000 or 8000/udp.`,
    );
  }
  const containerPort = Number(match[1]);
  if (
    containerPort < 1 ||
    (containerPort > 65_535 && containerPort < IDENTITY_PORT_FLOOR) ||
    containerPort > 99_999
  ) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `Port ${containerPort} is out of range: use 1-65535, or 70000 and above for an identity port.`,
    );
  }
  return { containerPort, protocol: (match[2]?.toLowerCase() ?? 'tcp') as Protocol };
}

/** Every port, once, in the order first asked for. */
export function dedupePorts(requests: PortRequest[]): PortRequest[] {
  const seen = new Set<string>();
  const out: PortRequest[] = [];
  for (const r of requests) {
    const key = `${r.containerPort}/${r.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

/**
 * Host ports chosen before the container is created (so VAST_TCP_PORT_<n> can be injected): a pinned
 * port if given, else a free one from `pickFreePort`. An identity request gets a free port P and is
 * published as P:P.
 */
export async function planPorts(
  requests: PortRequest[],
  pickFreePort: (protocol: Protocol) => Promise<number>,
  pinned: Record<string, number> = {},
): Promise<PlannedPort[]> {
  const unique = dedupePorts(requests);
  if (unique.length > MAX_PORTS) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${unique.length} ports requested; Vast opens at most ${MAX_PORTS} per instance.`,
    );
  }
  const planned: PlannedPort[] = [];
  const used = new Set<string>();
  for (const r of unique) {
    const identity = r.containerPort >= IDENTITY_PORT_FLOOR;
    const key = `${r.containerPort}/${r.protocol}`;
    let hostPort = pinned[key] ?? pinned[String(r.containerPort)];
    if (hostPort === undefined) {
      do hostPort = await pickFreePort(r.protocol);
      while (used.has(`${hostPort}/${r.protocol}`));
    }
    used.add(`${hostPort}/${r.protocol}`);
    planned.push({
      containerPort: identity ? hostPort : r.containerPort,
      protocol: r.protocol,
      hostPort,
      identity,
      requested: r.containerPort,
    });
  }
  return planned;
}

/** VAST_TCP_PORT_<requested> / VAST_UDP_PORT_<requested> = host port. */
export function portEnv(planned: PlannedPort[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of planned) env[`VAST_${p.protocol.toUpperCase()}_PORT_${p.requested}`] = String(p.hostPort);
  return env;
}

/** Docker's ExposedPorts and PortBindings, published on 127.0.0.1 only. */
export function dockerPortConfig(planned: PlannedPort[]): {
  ExposedPorts: Record<string, Record<string, never>>;
  PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
} {
  const ExposedPorts: Record<string, Record<string, never>> = {};
  const PortBindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of planned) {
    const key = `${p.containerPort}/${p.protocol}`;
    ExposedPorts[key] = {};
    PortBindings[key] = [{ HostIp: '127.0.0.1', HostPort: String(p.hostPort) }];
  }
  return { ExposedPorts, PortBindings };
}

/** `{"22/tcp": 32768}`, keyed by the requested port (what a user and `VAST_TCP_PORT_<n>` call it). */
export function portMap(planned: PlannedPort[]): Record<string, number> {
  const map: Record<string, number> = {};
  for (const p of planned) map[`${p.requested}/${p.protocol}`] = p.hostPort;
  return map;
}
