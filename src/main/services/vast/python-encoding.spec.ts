import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildApiUrl, encodeQuery, pythonJsonDumps, quotePlus } from './python-encoding';

describe('Python-compatible URL encoding', () => {
  it('produces the bytes the vast CLI sends for the v1 instance list', () => {
    expect(encodeQuery({ select_filters: {}, order_by: [{ col: 'id', dir: 'asc' }], limit: 25 })).toBe(
      'select_filters=%7B%7D&order_by=%5B%7B%22col%22%3A+%22id%22%2C+%22dir%22%3A+%22asc%22%7D%5D&limit=25',
    );
  });

  it('quotes like quote_plus: only A-Za-z0-9_.-~ stay, space is +', () => {
    expect(quotePlus("a b!'()*~._-/:")).toBe('a+b%21%27%28%29%2A~._-%2F%3A');
    expect(quotePlus('é')).toBe('%C3%A9');
  });

  it('dumps JSON with Python separators and ASCII escapes', () => {
    expect(pythonJsonDumps({ a: [1, 'x', null, true], b: { c: 1.5 } })).toBe(
      '{"a": [1, "x", null, true], "b": {"c": 1.5}}',
    );
    expect(pythonJsonDumps('é')).toBe('"\\u00e9"');
    expect(pythonJsonDumps(['*'])).toBe('["*"]');
  });

  it('round-trips any string through a standard query parser', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (k, v) => {
        const parsed = new URLSearchParams(encodeQuery({ [k]: v }));
        expect(parsed.get(k)).toBe(v);
      }),
    );
  });

  it('prepends /api/v0 unless the path names a version', () => {
    expect(buildApiUrl('https://console.vast.ai/', '/users/current')).toBe(
      'https://console.vast.ai/api/v0/users/current',
    );
    expect(buildApiUrl('http://127.0.0.1:1', '/api/v1/instances/', { limit: 25 })).toBe(
      'http://127.0.0.1:1/api/v1/instances/?limit=25',
    );
    expect(buildApiUrl('http://h', '/instances/5/', { owner: 'me' })).toBe(
      'http://h/api/v0/instances/5/?owner=me',
    );
  });
});
