import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitFlagWords } from './flag-words';

describe('splitFlagWords', () => {
  it('splits on quotes and backslashes only, as shlex.split does', () => {
    expect(splitFlagWords(`-p 8080:8080 -e A="x y" -e B='$HOME' -e C=a\\ b`)).toEqual({
      words: ['-p', '8080:8080', '-e', 'A=x y', '-e', 'B=$HOME', '-e', 'C=a b'],
      complete: true,
    });
  });
  it('keeps what a shell would expand, glob, cut or throw on', () => {
    // `${` made shell-quote throw "Bad substitution" (fuzz counterexample from CI).
    expect(splitFlagWords('- "env": {"${":""}').words).toEqual(['-', 'env:', '{${:}']);
    expect(splitFlagWords('-e P=$HOME/bin -e G=*.bin -e S=a;b|c -e C=#fff').words).toEqual([
      '-e',
      'P=$HOME/bin',
      '-e',
      'G=*.bin',
      '-e',
      'S=a;b|c',
      '-e',
      'C=#fff',
    ]);
  });
  it('reads text that ends open as closed there, and says so', () => {
    expect(splitFlagWords('-e A="x y')).toEqual({ words: ['-e', 'A=x y'], complete: false });
    expect(splitFlagWords("-e A='x")).toEqual({ words: ['-e', 'A=x'], complete: false });
    expect(splitFlagWords('-e A=x\\')).toEqual({ words: ['-e', 'A=x\\'], complete: false });
    expect(splitFlagWords('-e A="x\\').complete).toBe(false);
  });
  it('never throws, whatever the text', () => {
    const shellish = fc.string({
      unit: fc.constantFrom('"', "'", '\\', '$', '{', '}', ' ', '-e', 'A=', 'x', '#', '*', ';', '\n'),
      maxLength: 40,
    });
    fc.assert(
      fc.property(fc.oneof(shellish, fc.string()), (text) => {
        const { words, complete } = splitFlagWords(text);
        expect(Array.isArray(words)).toBe(true);
        expect(typeof complete).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
