import { parsePortalConfig } from '../templates';
import type { TunnelApp } from './tunnel-definitions';

/** A port a target declares, to be reached through a tunnel, with its portal app when it is one. */
export interface DeclaredPort {
  remotePort: number;
  app: TunnelApp | null;
}

export interface DeclaredPortsResult {
  ports: DeclaredPort[];
  /** Why PORTAL_CONFIG was ignored, when it could not be read. */
  warning: string | null;
}

/**
 * The tunnels a target's declarations call for. Each PORTAL_CONFIG app is reached on its INTERNAL
 * port: through SSH the app answers directly on loopback, without the portal's proxy (which on Vast
 * adds TLS and auth, and fronts a port only when VAST_TCP_PORT_<ext> is set). An external port that
 * such a proxy fronts is therefore covered by its app. Every other declared TCP port gets a plain
 * tunnel; 22 is the SSH port itself, and ports above 65535 are Vast's identity ports, not TCP ports.
 */
export function declaredTunnelPorts(
  env: Readonly<Record<string, string>>,
  declared: readonly number[],
): DeclaredPortsResult {
  const ports: DeclaredPort[] = [];
  const seen = new Set<number>();
  const fronted = new Set<number>();
  let warning: string | null = null;
  const portal = env.PORTAL_CONFIG === undefined ? null : parsePortalConfig(env.PORTAL_CONFIG);
  if (portal && !portal.ok) warning = `PORTAL_CONFIG is ignored: ${portal.error}`;
  if (portal?.ok) {
    for (const entry of portal.entries) {
      if (entry.externalPort !== entry.internalPort) fronted.add(entry.externalPort);
      if (!isTcpPort(entry.internalPort) || seen.has(entry.internalPort)) continue;
      seen.add(entry.internalPort);
      ports.push({ remotePort: entry.internalPort, app: { name: entry.name, openPath: entry.openPath } });
    }
  }
  for (const port of [...declared].sort((a, b) => a - b)) {
    if (port === 22 || !isTcpPort(port) || seen.has(port) || fronted.has(port)) continue;
    seen.add(port);
    ports.push({ remotePort: port, app: null });
  }
  return { ports, warning };
}

function isTcpPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * The browser URL of a tunnel: its app's open path on the local port, with `?token=` when the
 * target sets OPEN_BUTTON_TOKEN (Vast's portal takes it there). The path comes from a template, so
 * it is forced to stay a path on 127.0.0.1:<port> (no `//host`, no `@host`).
 */
export function tunnelOpenUrl(localPort: number, openPath: string, token: string | null): string {
  const path = `/${openPath.replace(/^[/\\]+/, '')}`;
  const base = `http://127.0.0.1:${localPort}`;
  let url: URL;
  try {
    url = new URL(`${base}${path}`);
  } catch {
    url = new URL(`${base}/`);
  }
  if (url.host !== `127.0.0.1:${localPort}`) url = new URL(`${base}/`);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
