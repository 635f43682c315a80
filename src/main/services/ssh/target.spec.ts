import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { parseTargetAddress } from './target';

describe('parseTargetAddress', () => {
  it('reads user@host:port and fills in Vast-like defaults', () => {
    expect(parseTargetAddress('root@ssh5.vast.ai:12345')).toEqual({
      user: 'root',
      host: 'ssh5.vast.ai',
      port: 12345,
    });
    expect(parseTargetAddress('me@10.0.0.2')).toEqual({ user: 'me', host: '10.0.0.2', port: 22 });
    expect(parseTargetAddress('127.0.0.1:2222')).toEqual({ user: 'root', host: '127.0.0.1', port: 2222 });
    expect(parseTargetAddress('root@[::1]:2222')).toEqual({ user: 'root', host: '::1', port: 2222 });
  });

  it('leaves run and instance ids alone', () => {
    expect(parseTargetAddress('12345678')).toBeNull();
    expect(parseTargetAddress('run-abc')).toBeNull();
    expect(parseTargetAddress('a b')).toBeNull();
  });

  it('rejects a port out of range', () => {
    expect(() => parseTargetAddress('root@h:70000')).toThrow(/not a TCP port/);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped, and jitters within the upper half of each step', () => {
    const opts = { initialMs: 100, maxMs: 1000, factor: 2 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 0)).toBe(400);
    expect(backoffDelay(20, opts, () => 1)).toBe(1000);
  });
});

describe('parseTargetAddress and option injection', () => {
  it('does not take a word starting with "-" as a user or host', () => {
    expect(parseTargetAddress('-oProxyCommand=x@host:22')).toBeNull();
    expect(parseTargetAddress('root@-evil:22')).toBeNull();
  });
});
