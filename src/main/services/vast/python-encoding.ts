/**
 * The official vast CLI builds its URLs with Python's `json.dumps` and `urllib.parse.quote_plus`.
 * Sending byte-for-byte the same query keeps us inside whatever the server has been tested with.
 */

/** Python `urllib.parse.quote_plus(s, safe='')`: only `A-Za-z0-9_.-~` stay, space becomes `+`. */
export function quotePlus(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Python `json.dumps(value)` with its default separators (`", "` and `": "`) and `ensure_ascii`. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
    return String(value);
  }
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJsonDumps(v)).join(', ')}]`;
  if (typeof value === 'object') {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${asciiJsonString(k)}: ${pythonJsonDumps(v)}`);
    return `{${parts.join(', ')}}`;
  }
  return 'null';
}

function asciiJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The CLI's query string: strings as they are, anything else JSON-encoded, all through quote_plus. */
export function encodeQuery(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${quotePlus(k)}=${quotePlus(typeof v === 'string' ? v : pythonJsonDumps(v))}`)
    .join('&');
}

/** `/api/v0` is prepended unless the path already names an API version (`/api/v1/instances/`). */
export function buildApiUrl(baseUrl: string, path: string, query?: Record<string, unknown>): string {
  const base = baseUrl.replace(/\/+$/, '');
  const rel = path.startsWith('/') ? path : `/${path}`;
  const full = /^\/api\/v\d+\//.test(rel) ? rel : `/api/v0${rel}`;
  const qs = query ? encodeQuery(query) : '';
  return qs ? `${base}${full}?${qs}` : `${base}${full}`;
}
