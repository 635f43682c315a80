import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifestDocument } from './manifest-document';
import { manifestEntries } from '../manifest-view';
import { applyManifestEdits } from './manifest-edits';
import { AppError } from '../../../../shared/errors';

// template.yml comes from a repository someone else wrote. Reading it must give problems with positions,
// never a throw; an edit on a broken file must be refused with a stable code, never a TypeError.

const FIELDS = [
  'name',
  'image',
  'tag',
  'env',
  'onstart',
  'runtype',
  'ports',
  'jup_direct',
  'ssh_direct',
  'search_params',
  'disk_space',
  'private',
  'href',
  'desc',
];
const scalar = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '<img src=x onerror=window.__pwned=1>',
    '"; rm -rf / #',
    '$(touch /tmp/pwned)',
    '\x1b]0;t\x07',
    '!!python/object:os.system',
    '*alias',
    '&anchor x',
    '0x1F',
    '1_000',
    '.inf',
    'yes',
    '~',
  ),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }),
);
const entryYaml = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 10 })), value), {
    maxLength: 8,
  })
  .map((pairs) => pairs.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join('\n'));
const manifestText = fc.oneof(
  entryYaml,
  fc
    .array(entryYaml, { maxLength: 3 })
    .map((es) => es.map((e) => `- ${e.split('\n').join('\n  ')}`).join('\n')),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.tuple(entryYaml, fc.nat()).map(([t, cut]) => t.slice(0, cut % (t.length + 1))),
  fc.constantFrom(
    '- &a [*a]',
    '{',
    '[',
    'a: !!binary x',
    '%YAML 9.9\n---\na: 1',
    '---\n---\n',
    '? [a, b]\n: c',
  ),
);

const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
].join('\n');

describe('template.yml', () => {
  it.each([
    ['an alias to no anchor', '*!'],
    ['an alias to no anchor in an entry', 'name: *nope'],
    ['an alias bomb', BOMB],
  ])('%s is a YAML problem, not a ReferenceError (fuzz counterexample)', (_what, text) => {
    const md = ManifestDocument.parse(text);
    expect(md.problems()[0]?.message).toMatch(/^YAML error: /);
    expect(() => applyManifestEdits(text, [{ op: 'setOnstart', value: null }] as never)).toThrow(AppError);
  });

  it('shows an env string holding ${ literally (fuzz counterexample: shell-quote threw)', () => {
    const [entry] = manifestEntries(ManifestDocument.parse('- "env": {"${":""}'));
    expect(entry?.dockerFlags).toBe('-e ${=""');
    expect(entry?.env).toEqual([['${', '']]);
  });

  it('parses, lists problems and shows entries for any text without throwing', () => {
    fc.assert(
      fc.property(manifestText, (text) => {
        const md = ManifestDocument.parse(text);
        for (const p of md.problems()) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(typeof p.message).toBe('string');
        }
        if (md.doc.errors.length === 0) {
          const entries = manifestEntries(md);
          expect(Array.isArray(entries)).toBe(true);
          JSON.stringify(entries);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('an edit on any text either applies or is refused with an AppError', () => {
    const edit = fc.oneof(
      fc.record({
        op: fc.constant('setField' as const),
        entry: fc.nat(3),
        field: fc.constantFrom('name', 'image', 'tag', 'onstart'),
        value: fc.oneof(fc.string(), fc.constant(null)),
      }),
      fc.record({ op: fc.constant('setOnstart' as const), value: fc.oneof(fc.string(), fc.constant(null)) }),
    );
    fc.assert(
      fc.property(manifestText, fc.array(edit, { minLength: 1, maxLength: 3 }), (text, edits) => {
        try {
          const out = applyManifestEdits(text, edits as never);
          expect(typeof out).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 800 },
    );
  });
});
