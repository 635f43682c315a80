/** template.yml as data for the form (templates:read). */
import { parsePortalConfig, type PortalEntry } from './portal/index';
import { ManifestDocument, foldEnv, parseEnvFlags } from './manifest/index';

export interface ManifestEntryView {
  index: number;
  values: Record<string, unknown>;
  envKind: 'map' | 'list' | 'string' | 'none';
  env: Array<[string, string]>;
  ports: string[];
  portal: { ok: true; rows: PortalEntry[] } | { ok: false; error: string };
  dockerFlags: string | null;
}

/** bigint → number (JSON has no bigint), Date → ISO string, recursively. */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value;
}

export function manifestEntries(md: ManifestDocument): ManifestEntryView[] {
  const views: ManifestEntryView[] = [];
  for (let index = 0; index < md.entryCount(); index++) {
    const raw = md.entryValue(index);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const value = raw as Record<string, unknown>;
    const env = value.env;
    const envKind = Array.isArray(env)
      ? 'list'
      : typeof env === 'string'
        ? 'string'
        : env && typeof env === 'object'
          ? 'map'
          : 'none';
    const folded = foldEnv(value.ports, env);
    const dockerFlags = typeof folded === 'string' ? folded : null;
    const flags = dockerFlags ? parseEnvFlags(dockerFlags) : { env: [], ports: [] };
    const config = flags.env.find(([k]) => k === 'PORTAL_CONFIG')?.[1];
    const parsed = config === undefined ? null : parsePortalConfig(config);
    views.push({
      index,
      values: toJson(value) as Record<string, unknown>,
      envKind,
      env: flags.env,
      ports: Array.isArray(value.ports) ? value.ports.map((p) => String(p)) : [],
      portal:
        parsed === null
          ? { ok: true, rows: [] }
          : parsed.ok
            ? { ok: true, rows: parsed.entries }
            : { ok: false, error: parsed.error },
      dockerFlags,
    });
  }
  return views;
}
