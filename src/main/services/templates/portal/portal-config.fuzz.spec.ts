import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parsePortalConfig,
  portalYamlFromConfig,
  renderPortalYaml,
  serialisePortalConfig,
} from './portal-config';
import { AppError } from '../../../../shared/errors';

// PORTAL_CONFIG is a template's env value: anyone's text. Parsing it gives entries or a reason, and the
// /etc/portal.yaml rendered from it must stay YAML the Instance Portal can read, whatever the names hold.

const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    'localhost',
    '8080',
    '18080',
    '/',
    'Jupyter',
    '<b>x</b>',
    '"; rm -rf / #',
    '\x1b[2J',
    '99999',
    '-1',
    '0x10',
    '1_0',
    ' 80 ',
    '٣',
  ),
);
const config = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc
    .array(
      fc.array(piece, { minLength: 1, maxLength: 6 }).map((fs) => fs.join(':')),
      { maxLength: 5 },
    )
    .map((es) => es.join('|')),
);

describe('PORTAL_CONFIG', () => {
  it('parses any text into entries or a reason, never a throw', () => {
    fc.assert(
      fc.property(config, (text) => {
        const result = parsePortalConfig(text);
        if (result.ok) {
          for (const e of result.entries) {
            expect(Number.isInteger(e.externalPort) && Number.isInteger(e.internalPort)).toBe(true);
          }
          expect(typeof renderPortalYaml(result.entries)).toBe('string');
          expect(parsePortalConfig(serialisePortalConfig(result.entries)).ok).toBe(true);
        } else {
          expect(result.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('portalYamlFromConfig refuses with TEMPLATE_INVALID, never a TypeError', () => {
    fc.assert(
      fc.property(config, (text) => {
        try {
          expect(typeof portalYamlFromConfig(text)).toBe('string');
        } catch (err) {
          expect(err).toBeInstanceOf(AppError);
          expect((err as AppError).code).toBe('TEMPLATE_INVALID');
        }
      }),
      { numRuns: 1500 },
    );
  });
});
