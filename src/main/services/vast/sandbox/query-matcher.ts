/**
 * The server side of Vast's query language (`{field: {op: value}}`), used by the sandbox for
 * offers, templates and the v1 instance list. Values may arrive as strings ("1") or numbers (1):
 * the CLI sends numbers as strings, other clients send numbers, and the server accepts both.
 */

export class QueryError extends Error {}

const OPS = new Set(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'notin', 'nin']);

/** Keys of a query object that are not field conditions. */
export const QUERY_META_KEYS = new Set([
  'order',
  'type',
  'limit',
  'allocated_storage',
  'disable_bundling',
  'select_cols',
  'extra_ids',
]);

export function matchesQuery(row: Record<string, unknown>, query: Record<string, unknown>): boolean {
  for (const [field, cond] of Object.entries(query)) {
    if (QUERY_META_KEYS.has(field)) continue;
    const ops =
      cond !== null && typeof cond === 'object' && !Array.isArray(cond)
        ? (cond as Record<string, unknown>)
        : { eq: cond };
    for (const [op, expected] of Object.entries(ops)) {
      if (!OPS.has(op)) throw new QueryError(`unknown operator "${op}" for field ${field}`);
      if (!test(field, row[field], op, expected)) return false;
    }
  }
  return true;
}

function test(field: string, actual: unknown, op: string, expected: unknown): boolean {
  if (op === 'in' || op === 'notin' || op === 'nin') {
    if (!Array.isArray(expected)) throw new QueryError(`"${op}" for field ${field} needs a list`);
    const hit = expected.some((e) => equal(field, actual, e));
    return op === 'in' ? hit : !hit;
  }
  if (op === 'eq') return equal(field, actual, expected);
  if (op === 'neq') return !equal(field, actual, expected);
  if (actual === null || actual === undefined) return false;
  const a = typeof actual === 'number' ? actual : Number(actual);
  const b = toNumber(expected);
  if (b === null || Number.isNaN(a))
    throw new QueryError(`"${op}" for field ${field} needs a number, got ${JSON.stringify(expected)}`);
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    default:
      return a <= b;
  }
}

function equal(field: string, actual: unknown, expected: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  if (actual === null || actual === undefined) return false;
  if (typeof actual === 'boolean') {
    if (typeof expected === 'boolean') return actual === expected;
    const s = String(expected).toLowerCase();
    return (s === 'true' || s === '1') === actual;
  }
  if (typeof actual === 'number') {
    const n = toNumber(expected);
    return n !== null && Math.abs(actual - n) < 1e-9;
  }
  const a = String(actual);
  const e = String(expected);
  // geolocation is "City, CC" but is filtered with two-letter codes.
  if (field === 'geolocation' && /^[A-Za-z]{2}$/.test(e))
    return a.toUpperCase().endsWith(`, ${e.toUpperCase()}`) || a.toUpperCase() === e.toUpperCase();
  return a.toLowerCase() === e.toLowerCase();
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

/** `[["dph_total","asc"], ...]` (or `[{col, dir}]`, the v1 instances form); nulls go last. */
export function sortRows<T extends Record<string, unknown>>(rows: T[], order: unknown): T[] {
  const keys: [string, number][] = [];
  if (Array.isArray(order)) {
    for (const o of order) {
      if (Array.isArray(o) && typeof o[0] === 'string')
        keys.push([o[0], String(o[1] ?? 'asc').toLowerCase() === 'desc' ? -1 : 1]);
      else if (o && typeof o === 'object' && typeof (o as { col?: unknown }).col === 'string') {
        const { col, dir } = o as { col: string; dir?: string };
        keys.push([col, String(dir ?? 'asc').toLowerCase() === 'desc' ? -1 : 1]);
      } else throw new QueryError(`cannot read order entry ${JSON.stringify(o)}`);
    }
  } else if (order !== undefined && order !== null) {
    throw new QueryError('order must be a list');
  }
  if (keys.length === 0) return rows;
  return [...rows].sort((x, y) => {
    for (const [k, dir] of keys) {
      const a = x[k];
      const b = y[k];
      if (a === b) continue;
      if (a === null || a === undefined) return 1;
      if (b === null || b === undefined) return -1;
      const c = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}
