/**
 * PORTAL_CONFIG exactly as the base image's caddy manager reads it
 * (portal-aio/caddy_manager/caddy_config_manager.py::load_config): split on `|`, each entry
 * `split(':', 4)` into hostname, external port, internal port, path and name (so the name keeps any
 * further `:`), ports through Python's int(), nothing else trimmed, keyed by name with the last
 * duplicate winning (in the first one's position, as a Python dict does).
 */
import { AppError } from '../../../../shared/errors';
import { pythonInt } from './python-int';
import { pyyamlDump, type DumpMapping } from './pyyaml-dump';

export interface PortalEntry {
  hostname: string;
  /** The port Caddy listens on; it must be in the template's `ports` so Vast maps it. */
  externalPort: number;
  /** The port the application itself binds, on the loopback interface. */
  internalPort: number;
  openPath: string;
  name: string;
}

export type PortalParseResult =
  { ok: true; entries: PortalEntry[] } | { ok: false; error: string; entryIndex: number };

/** Python's `str.split(':', 4)`: at most five fields, the rest stays in the last one. */
function splitAtMost(text: string, sep: string, maxSplit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < maxSplit) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + sep.length);
  }
  parts.push(rest);
  return parts;
}

function toPort(text: string, what: string, entry: string, index: number): number | string {
  const value = pythonInt(text);
  if (value === null) {
    return `Entry ${index + 1} (${JSON.stringify(entry)}): the ${what} ${JSON.stringify(text)} is not a whole number.`;
  }
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    return `Entry ${index + 1} (${JSON.stringify(entry)}): the ${what} ${text.trim()} is far too large to be a port.`;
  }
  return Number(value);
}

/**
 * Parse PORTAL_CONFIG. An empty string is valid here and means "no applications" (caddy.sh writes
 * `applications: {}` without calling load_config, which would raise on it).
 */
export function parsePortalConfig(config: string): PortalParseResult {
  if (config === '') return { ok: true, entries: [] };
  const byName = new Map<string, PortalEntry>();
  const entries = config.split('|');
  for (const [index, entry] of entries.entries()) {
    const fields = splitAtMost(entry, ':', 4);
    if (fields.length < 5) {
      const what =
        entry === ''
          ? `Entry ${index + 1} is empty${index === entries.length - 1 ? ' (a trailing "|"?)' : ' (two "|" in a row?)'}`
          : `Entry ${index + 1} (${JSON.stringify(entry)}) has ${fields.length} of the 5 fields`;
      return {
        ok: false,
        entryIndex: index,
        error: `${what}. Each entry is hostname:external_port:internal_port:path:name, e.g. localhost:8188:18188:/:ComfyUI.`,
      };
    }
    const [hostname, ext, int, openPath, name] = fields as [string, string, string, string, string];
    const externalPort = toPort(ext, 'external port', entry, index);
    if (typeof externalPort === 'string') return { ok: false, entryIndex: index, error: externalPort };
    const internalPort = toPort(int, 'internal port', entry, index);
    if (typeof internalPort === 'string') return { ok: false, entryIndex: index, error: internalPort };
    byName.set(name, { hostname, externalPort, internalPort, openPath, name });
  }
  return { ok: true, entries: [...byName.values()] };
}

/** Like parsePortalConfig, but throws TEMPLATE_INVALID with the reason. */
export function parsePortalConfigOrThrow(config: string): PortalEntry[] {
  const result = parsePortalConfig(config);
  if (!result.ok) throw new AppError('TEMPLATE_INVALID', `PORTAL_CONFIG is invalid: ${result.error}`);
  return result.entries;
}

/** Why a row cannot be written back into PORTAL_CONFIG without changing its meaning, or null. */
export function portalEntryProblem(entry: PortalEntry): string | null {
  if (entry.name.includes('|') || entry.hostname.includes('|') || entry.openPath.includes('|')) {
    return `"|" separates entries in PORTAL_CONFIG, so it cannot appear inside one (${entry.name}).`;
  }
  if (entry.hostname.includes(':'))
    return `The hostname ${JSON.stringify(entry.hostname)} cannot contain ":".`;
  if (entry.openPath.includes(':'))
    return `The path ${JSON.stringify(entry.openPath)} cannot contain ":" (only the name may).`;
  for (const port of [entry.externalPort, entry.internalPort]) {
    if (!Number.isSafeInteger(port))
      return `The port ${port} of ${JSON.stringify(entry.name)} is not a whole number.`;
  }
  return null;
}

/** Serialise rows into PORTAL_CONFIG; refuses rows that would not read back the same. */
export function serialisePortalConfig(entries: readonly PortalEntry[]): string {
  const seen = new Set<string>();
  for (const entry of entries) {
    const problem = portalEntryProblem(entry);
    if (problem) throw new AppError('TEMPLATE_INVALID', problem);
    if (seen.has(entry.name)) {
      throw new AppError(
        'TEMPLATE_INVALID',
        `Two PORTAL_CONFIG rows are named ${JSON.stringify(entry.name)}; the portal keeps only the last. Rename one.`,
      );
    }
    seen.add(entry.name);
  }
  return entries
    .map((e) => `${e.hostname}:${e.externalPort}:${e.internalPort}:${e.openPath}:${e.name}`)
    .join('|');
}

/** /etc/portal.yaml as `yaml.dump({'applications': …}, default_flow_style=False, sort_keys=False)`. */
export function renderPortalYaml(entries: readonly PortalEntry[]): string {
  const applications: DumpMapping = entries.map((e) => [
    e.name,
    [
      ['hostname', e.hostname],
      ['external_port', e.externalPort],
      ['internal_port', e.internalPort],
      ['open_path', e.openPath],
      ['name', e.name],
    ],
  ]);
  return pyyamlDump([['applications', applications]]);
}

/** parse + render, or throw TEMPLATE_INVALID with the caddy manager's reason. */
export function portalYamlFromConfig(config: string): string {
  return renderPortalYaml(parsePortalConfigOrThrow(config));
}

/**
 * Plain-word hints for entries whose ports look swapped. One seed document describes the order the
 * other way round from the real code: the external port (fronted by Caddy) comes first and must be
 * published in `ports`; the application binds the internal one on loopback.
 */
export function diagnosePortalInversion(
  entries: readonly PortalEntry[],
  publishedPorts: ReadonlySet<number>,
): string[] {
  const hints: string[] = [];
  for (const e of entries) {
    if (e.externalPort === e.internalPort) continue;
    const extPublished = publishedPorts.has(e.externalPort);
    const intPublished = publishedPorts.has(e.internalPort);
    if (intPublished && !extPublished) {
      hints.push(
        `"${e.name}" looks inverted: ${e.internalPort} (the internal port, which the app binds on loopback) is in ports, but ${e.externalPort} (the external port Caddy listens on) is not. ` +
          `PORTAL_CONFIG is hostname:EXTERNAL:INTERNAL:path:name. Probably you meant ${e.hostname}:${e.internalPort}:${e.externalPort}:${e.openPath}:${e.name}, with the app bound to 127.0.0.1:${e.externalPort}.`,
      );
    }
  }
  return hints;
}
