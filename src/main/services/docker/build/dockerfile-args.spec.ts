import { describe, expect, it } from 'vitest';
import { outlineDockerfile, unquote } from './dockerfile-args';

describe('outlineDockerfile', () => {
  it('lists global and per-stage ARGs with their defaults, and the stages', () => {
    const outline = outlineDockerfile(
      [
        'ARG BASE=tstudio/base:bookworm',
        'ARG NOVAL',
        'FROM $BASE AS builder',
        'ARG A=1 B="two words"',
        'RUN echo',
        'FROM builder',
        'ARG C',
      ].join('\n'),
    );
    expect(outline.args).toEqual([
      { name: 'BASE', defaultValue: 'tstudio/base:bookworm', stage: null, line: 1 },
      { name: 'NOVAL', defaultValue: null, stage: null, line: 2 },
      { name: 'A', defaultValue: '1', stage: 'builder', line: 4 },
      { name: 'B', defaultValue: 'two words', stage: 'builder', line: 4 },
      { name: 'C', defaultValue: null, stage: '1', line: 7 },
    ]);
    expect(outline.stages).toEqual([
      { index: 0, name: 'builder', from: '$BASE', line: 3 },
      { index: 1, name: null, from: 'builder', line: 6 },
    ]);
  });

  it('survives an empty Dockerfile', () => {
    expect(outlineDockerfile('')).toEqual({ args: [], stages: [] });
  });
});

describe('unquote', () => {
  it('removes quotes and applies escapes like the builder', () => {
    expect(unquote('"two words"')).toBe('two words');
    expect(unquote("'a \\b'")).toBe('a \\b');
    expect(unquote('a\\ b')).toBe('a b');
    expect(unquote('"say \\"hi\\" \\n"')).toBe('say "hi" \\n');
    expect(unquote('${X:-1}')).toBe('${X:-1}');
  });
});
