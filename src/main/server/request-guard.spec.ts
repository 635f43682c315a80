import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { RequestGuard, readCookie } from './request-guard';
import { generateToken, tokenMatches } from './token';

const token = 'a'.repeat(43);
function req(headers: Record<string, string>, url = '/'): IncomingMessage {
  return { headers, url } as unknown as IncomingMessage;
}

describe('token', () => {
  it('has at least 128 bits and differs every time', () => {
    const t = generateToken();
    expect(Buffer.from(t, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(generateToken()).not.toBe(t);
  });
  it('matches only the exact token', () => {
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, token.slice(1))).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
  });
});

describe('RequestGuard', () => {
  const guard = new RequestGuard(token, '127.0.0.1', 4000);
  it('accepts the token in the query, a cookie or a bearer header', () => {
    expect(guard.check(req({ host: '127.0.0.1:4000' }, `/?token=${token}`), false)).toBeNull();
    expect(
      guard.check(req({ host: '127.0.0.1:4000', cookie: `x=1; tstudio_token=${token}` }), false),
    ).toBeNull();
    expect(guard.check(req({ host: 'localhost:4000', authorization: `Bearer ${token}` }), false)).toBeNull();
  });
  it('refuses a missing or wrong token with 401', () => {
    expect(guard.check(req({ host: '127.0.0.1:4000' }), false)?.status).toBe(401);
    expect(guard.check(req({ host: '127.0.0.1:4000' }, '/?token=nope'), false)?.status).toBe(401);
  });
  it('refuses a DNS-rebinding Host header even with the token', () => {
    expect(guard.check(req({ host: 'evil.example:4000' }, `/?token=${token}`), false)?.status).toBe(403);
    expect(guard.check(req({ host: '127.0.0.1:4001' }, `/?token=${token}`), false)?.status).toBe(403);
    expect(guard.check(req({}, `/?token=${token}`), false)?.status).toBe(403);
  });
  it("refuses a WebSocket whose Origin is not the server's own", () => {
    const base = { host: '127.0.0.1:4000', cookie: `tstudio_token=${token}` };
    expect(guard.check(req({ ...base, origin: 'http://127.0.0.1:4000' }), true)).toBeNull();
    expect(guard.check(req({ ...base, origin: 'http://evil.example' }), true)?.status).toBe(403);
    expect(guard.check(req({ ...base, origin: 'null' }), true)?.status).toBe(403);
    expect(guard.check(req(base), true)?.status).toBe(403);
  });
  it('reads cookies', () => {
    expect(readCookie('a=1; b=two%20words', 'b')).toBe('two words');
    expect(readCookie(undefined, 'b')).toBeNull();
  });
});
