import type { z } from 'zod';
import { AppError } from '../../../shared/errors';
import type { OfferFilters } from '../../../shared/contract/vast';

/** A Vast offer query: `{field: {op: value}}` plus `order`, `type`, `limit`… (reference/vast-api.md §1). */
export type OfferQuery = Record<string, unknown>;
export type OfferFiltersInput = z.input<typeof OfferFilters>;

/** What the CLI adds unless `--no-default`: only verified, non-external, rentable, free machines. */
export const DEFAULT_OFFER_FILTERS: OfferQuery = Object.freeze({
  verified: { eq: true },
  external: { eq: false },
  rentable: { eq: true },
  rented: { eq: false },
});

const FIELD_ALIASES: Record<string, string> = {
  cuda_vers: 'cuda_max_good',
  display_active: 'gpu_display_active',
  dlperf_usd: 'dlperf_per_dphtotal',
  dph: 'dph_total',
  flops_usd: 'flops_per_dphtotal',
};

/** GB -> MB and days -> seconds, as the CLI multiplies. */
const FIELD_MULTIPLIERS: Record<string, number> = {
  cpu_ram: 1000,
  gpu_ram: 1000,
  gpu_total_ram: 1000,
  duration: 86400,
};

const OP_NAMES: Record<string, string> = {
  '>=': 'gte',
  '>': 'gt',
  gt: 'gt',
  gte: 'gte',
  '<=': 'lte',
  '<': 'lt',
  lt: 'lt',
  lte: 'lte',
  '!=': 'neq',
  '==': 'eq',
  '=': 'eq',
  eq: 'eq',
  neq: 'neq',
  noteq: 'neq',
  'not eq': 'neq',
  notin: 'notin',
  'not in': 'notin',
  nin: 'notin',
  in: 'in',
};

/** "535.86.05" -> 535086005, the CLI's `numeric_version`. */
export function numericDriverVersion(version: string): number | null {
  const parts = version.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return Number(parts.map((p) => p.padStart(3, '0')).join(''));
}

/**
 * The CLI's `parse_query`: `gpu_name=RTX_4090 num_gpus>=2 geolocation in [US,CA]`. Numbers stay
 * strings (the server accepts both), `_` becomes a space, some fields get unit multipliers.
 */
export function parseQueryString(text: string, into: OfferQuery = {}): OfferQuery {
  const query = text.trim();
  if (!query) return into;
  const pattern =
    /([a-zA-Z0-9_]+)( *[=><!]+| +(?:[lg]te?|nin|neq|eq|not ?eq|not ?in|in) )?( *)(\[[^\]]+\]|"[^"]+"|[^ ]+)?( *)/g;
  const matches = [...query.matchAll(pattern)].filter((m) => m[0].length > 0);
  const joined = matches.map((m) => m[0]).join('');
  if (joined !== query) {
    throw new AppError(
      'VALIDATION',
      `Could not read the offer query near "${query.slice(joined.length, joined.length + 30)}". Use field op value, e.g. num_gpus>=2.`,
    );
  }
  for (const m of matches) {
    let field = m[1] ?? '';
    const op = (m[2] ?? '').trim();
    let raw = (m[4] ?? '').replace(/^[,[\]]+|[,[\]]+$/g, '');
    const opName = OP_NAMES[op];
    if (!opName)
      throw new AppError('VALIDATION', `Unknown operator "${op}" in the offer query after "${field}".`);
    field = FIELD_ALIASES[field] ?? field;
    if (field === 'driver_version' && raw.includes('.')) raw = String(numericDriverVersion(raw) ?? raw);
    let value: unknown;
    if (opName === 'in' || opName === 'notin') {
      value = raw
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((x) => x.replace(/_/g, ' ').replace(/^"+|"+$/g, ''));
      if ((value as string[]).length === 0)
        throw new AppError('VALIDATION', `The list after "${field} ${op}" is empty.`);
    } else {
      if (!raw) throw new AppError('VALIDATION', `The value after "${field}${op}" is missing.`);
      if (['?', '*', 'any'].includes(raw)) {
        if (opName !== 'eq')
          throw new AppError('VALIDATION', 'A wildcard (any, *, ?) only makes sense with =.');
        delete into[field];
        continue;
      }
      const text = raw.replace(/_/g, ' ').replace(/^"+|"+$/g, '');
      const mult = FIELD_MULTIPLIERS[field];
      if (mult !== undefined) {
        const n = Number(text);
        if (!Number.isFinite(n)) throw new AppError('VALIDATION', `${field} needs a number, got "${text}".`);
        value = n * mult;
      } else if (text === 'true' || text === 'True') value = true;
      else if (text === 'false' || text === 'False') value = false;
      else if (text === 'None' || text === 'null') value = null;
      else value = text;
    }
    const existing = into[field];
    const ops =
      existing && typeof existing === 'object' && !Array.isArray(existing)
        ? (existing as Record<string, unknown>)
        : {};
    ops[opName] = value;
    into[field] = ops;
  }
  return into;
}

/** `dph_total,num_gpus-` -> `[["dph_total","asc"],["num_gpus","desc"]]`, like the CLI's `-o`. */
export function parseOrder(order: string): [string, 'asc' | 'desc'][] {
  return order
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const desc = s.endsWith('-');
      const name = (desc || s.endsWith('+') ? s.slice(0, -1) : s).trim();
      return [FIELD_ALIASES[name] ?? name, desc ? 'desc' : 'asc'];
    });
}

/** The app's filters -> the query object the CLI would send for the same wishes. */
export function buildOfferQuery(filters: OfferFiltersInput = {}): OfferQuery {
  const q: OfferQuery = structuredClone(DEFAULT_OFFER_FILTERS) as OfferQuery;
  const set = (field: string, op: string, value: unknown) => {
    const ops = (q[field] as Record<string, unknown> | undefined) ?? {};
    ops[op] = value;
    q[field] = ops;
  };
  if (filters.extraFilters) mergeQuery(q, filters.extraFilters);
  if (filters.verified === false) delete q.verified;
  if (filters.gpuName) set('gpu_name', 'eq', filters.gpuName.replace(/_/g, ' '));
  if (filters.numGpus !== undefined) set('num_gpus', 'eq', String(filters.numGpus));
  if (filters.minNumGpus !== undefined) set('num_gpus', 'gte', String(filters.minNumGpus));
  if (filters.minGpuRamGb !== undefined) set('gpu_ram', 'gte', filters.minGpuRamGb * 1000);
  if (filters.maxDphTotal !== undefined) set('dph_total', 'lte', String(filters.maxDphTotal));
  if (filters.minReliability !== undefined) set('reliability', 'gte', String(filters.minReliability));
  if (filters.minCuda !== undefined) set('cuda_max_good', 'gte', String(filters.minCuda));
  if (filters.minDiskGb !== undefined) set('disk_space', 'gte', String(filters.minDiskGb));
  if (filters.countries?.length)
    set(
      'geolocation',
      'in',
      filters.countries.map((c) => c.toUpperCase()),
    );
  if (filters.minDirectPorts !== undefined) set('direct_port_count', 'gte', String(filters.minDirectPorts));
  if (filters.query) parseQueryString(filters.query, q);
  q.order = filters.order ? parseOrder(filters.order) : [['score', 'desc']];
  q.type = filters.type ?? 'on-demand';
  if (filters.limit !== undefined) q.limit = filters.limit;
  return q;
}

/** Merges a template's extra_filters (scalars mean `eq`, like create.py reads them). */
export function mergeQuery(target: OfferQuery, extra: Record<string, unknown>): void {
  for (const [field, cond] of Object.entries(extra)) {
    const key = FIELD_ALIASES[field] ?? field;
    if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
      const ops = (target[key] as Record<string, unknown> | undefined) ?? {};
      target[key] = { ...ops, ...(cond as Record<string, unknown>) };
    } else {
      target[key] = { eq: cond };
    }
  }
}
