import { describe, expect, it, vi } from 'vitest';

// The token comparison must not leak how much of a guess was right, nor the token's length: both sides
// are hashed to 32 bytes and compared with timingSafeEqual. The crypto module is wrapped to watch that.
const seen = vi.hoisted(() => ({ hashed: [] as string[], compared: [] as Array<[number, number]> }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    createHash: (algorithm: string) => {
      const hash = real.createHash(algorithm);
      const update = hash.update.bind(hash);
      hash.update = ((data: string) => {
        seen.hashed.push(data);
        return update(data);
      }) as typeof hash.update;
      return hash;
    },
    timingSafeEqual: (a: Buffer, b: Buffer) => {
      seen.compared.push([a.length, b.length]);
      return real.timingSafeEqual(a, b);
    },
  };
});

const { tokenMatches } = await import('../../src/main/server/token');
const { readCookie, RequestGuard } = await import('../../src/main/server/request-guard');

describe('tokenMatches', () => {
  it('hashes both sides and compares equal-length digests in constant time', () => {
    for (const guess of ['short', 'a'.repeat(43), 'b'.repeat(300)]) {
      seen.hashed.length = 0;
      seen.compared.length = 0;
      expect(tokenMatches('a'.repeat(43), guess)).toBe(guess === 'a'.repeat(43));
      expect(seen.hashed).toEqual(['a'.repeat(43), guess]);
      expect(seen.compared).toEqual([[32, 32]]);
    }
  });
  it('refuses absent, empty and absurdly long guesses without hashing them', () => {
    seen.hashed.length = 0;
    expect(tokenMatches('t', null)).toBe(false);
    expect(tokenMatches('t', '')).toBe(false);
    expect(tokenMatches('t', 'x'.repeat(10_000))).toBe(false);
    expect(seen.hashed).toEqual([]);
  });
});

describe('cookies sent by anyone', () => {
  it('a malformed escape is not the token, and does not throw', () => {
    expect(readCookie('tstudio_token=%', 'tstudio_token')).toBe('%');
    expect(readCookie('tstudio_token=%E0%A4%A', 'tstudio_token')).toBe('%E0%A4%A');
    const guard = new RequestGuard('t'.repeat(43), '127.0.0.1', 4000);
    const req = { headers: { host: '127.0.0.1:4000', cookie: 'tstudio_token=%' }, url: '/' };
    expect(guard.check(req as never, false)?.status).toBe(401);
  });
});
