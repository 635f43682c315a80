import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScrollbackRing } from './scrollback-ring';

describe('ScrollbackRing', () => {
  it('keeps everything while under the bound', () => {
    const ring = new ScrollbackRing(100);
    ring.push('hello ');
    ring.push('world');
    expect(ring.text()).toBe('hello world');
    expect(ring.bytes).toBe(11);
    expect(ring.written).toBe(11);
    expect(ring.truncated).toBe(false);
  });

  it('drops the oldest chunks once over the bound', () => {
    const ring = new ScrollbackRing(10);
    ring.push('aaaa');
    ring.push('bbbb');
    ring.push('cccc');
    expect(ring.text()).toBe('bbbbcccc');
    expect(ring.written).toBe(12);
    expect(ring.truncated).toBe(true);
  });

  it('keeps the tail of a chunk larger than the bound, on a character boundary', () => {
    const ring = new ScrollbackRing(5);
    ring.push('xxxxé€z'); // é is 2 bytes, € is 3
    expect(ring.text()).toBe('€z');
    expect(ring.bytes).toBe(4);
  });

  it('never holds more than its bound, whatever is pushed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.string({ maxLength: 40 }), { maxLength: 200 }),
        (max, pushes) => {
          const ring = new ScrollbackRing(max);
          let total = 0;
          for (const p of pushes) {
            ring.push(p);
            total += Buffer.byteLength(p);
            expect(ring.bytes).toBeLessThanOrEqual(max);
            expect(Buffer.byteLength(ring.text())).toBe(ring.bytes);
          }
          expect(ring.written).toBe(total);
          // What is kept is always a suffix of what was written.
          expect(pushes.join('').endsWith(ring.text())).toBe(true);
        },
      ),
    );
  });
});
