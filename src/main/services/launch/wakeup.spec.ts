import { describe, expect, it } from 'vitest';
import { Wakeup } from './wakeup';

describe('Wakeup', () => {
  it('ends a pause early when woken, and says so', async () => {
    const w = new Wakeup();
    const started = Date.now();
    const paused = w.pause(60_000);
    w.wake();
    expect(await paused).toBe(true);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('keeps a wake that came while nobody was pausing, for the next pause only', async () => {
    const w = new Wakeup();
    w.wake();
    expect(await w.pause(60_000)).toBe(true);
    expect(await w.pause(5)).toBe(false);
  });

  it('ends on the timer or on abort without being woken', async () => {
    const w = new Wakeup();
    expect(await w.pause(5)).toBe(false);
    const controller = new AbortController();
    const paused = w.pause(60_000, controller.signal);
    controller.abort();
    expect(await paused).toBe(false);
  });
});
