import { parse } from 'yaml';

/** One entry of /etc/portal.yaml's `applications`. */
export interface PortalApp {
  name: string;
  hostname: string;
  externalPort: number;
  internalPort: number;
  openPath: string;
}

/** Reads /etc/portal.yaml as caddy_config_manager writes it; anything unreadable yields no apps. */
export function parsePortalYaml(text: string): PortalApp[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return [];
  }
  const applications = (doc as { applications?: unknown } | null)?.applications;
  if (!applications || typeof applications !== 'object') return [];
  const apps: PortalApp[] = [];
  for (const [key, value] of Object.entries(applications as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    const externalPort = Number(v.external_port);
    const internalPort = Number(v.internal_port);
    if (!Number.isInteger(externalPort) || !Number.isInteger(internalPort)) continue;
    apps.push({
      name: typeof v.name === 'string' ? v.name : key,
      hostname: typeof v.hostname === 'string' ? v.hostname : 'localhost',
      externalPort,
      internalPort,
      openPath: typeof v.open_path === 'string' ? v.open_path : '/',
    });
  }
  return apps;
}
