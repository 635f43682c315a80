import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile, parseImageRef, substitute } from './dockerfile';
import { lintPath } from './run-lint';
import { AppError } from '../../../../shared/errors';

// A Dockerfile in a cloned template is anyone's text. The linter reads it; it must report, never throw.

const INSTRUCTIONS = [
  'FROM',
  'ARG',
  'ENV',
  'RUN',
  'COPY',
  'ADD',
  'CMD',
  'ENTRYPOINT',
  'EXPOSE',
  'USER',
  'WORKDIR',
  'LABEL',
  'HEALTHCHECK',
  'ONBUILD',
  'SHELL',
  'STOPSIGNAL',
  'VOLUME',
  'MAINTAINER',
];
const arg = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '${X:-y}',
    '$X',
    '${',
    'ubuntu:22.04',
    'a/b:c@sha256:00',
    '--from=0',
    '--mount=type=cache,target=/x',
    '["a", "b"]',
    '[',
    '\\',
    '<script>',
    '$(touch /tmp/pwned)',
    '\x1b[2J',
    'AS base',
    'scratch',
  ),
);
const line = fc.oneof(
  fc
    .tuple(fc.constantFrom(...INSTRUCTIONS), fc.array(arg, { maxLength: 4 }))
    .map(([i, a]) => `${i} ${a.join(' ')}`),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('# syntax=docker/dockerfile:1', '# escape=`', 'RUN <<EOF', 'EOF', '\\', '', '   '),
);
const dockerfile = fc.array(line, { maxLength: 15 }).map((ls) => ls.join('\n'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tstudio-lint-fuzz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Dockerfile lint over random text', () => {
  it('parseDockerfile, substitute and parseImageRef never throw', () => {
    fc.assert(
      fc.property(dockerfile, fc.string(), (text, ref) => {
        const parsed = parseDockerfile(text);
        expect(parsed).toBeTruthy();
        substitute(text, new Map([['X', 'y']]));
        parseImageRef(ref);
      }),
      { numRuns: 2000 },
    );
  });

  it('lintPath on a folder with any Dockerfile and template.yml reports findings, never throws', () => {
    let n = 0;
    fc.assert(
      fc.property(dockerfile, fc.string({ unit: 'grapheme', maxLength: 120 }), (text, manifest) => {
        const folder = join(dir, String(n++));
        mkdirSync(join(folder, 'templates', 'default'), { recursive: true });
        writeFileSync(join(folder, 'Dockerfile'), text);
        writeFileSync(join(folder, 'templates', 'default', 'template.yml'), manifest);
        try {
          const findings = lintPath(folder);
          for (const f of findings) expect(typeof f.message).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
