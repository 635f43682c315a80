import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from './catalogue';
import { renderLintRulesMarkdown } from './render-docs';

describe('docs/lint-rules.md', () => {
  it('is exactly what the catalogue generates (run node scripts/gen-lint-docs.mjs)', () => {
    const committed = readFileSync(join(__dirname, '../../../../../docs/lint-rules.md'), 'utf8');
    expect(committed).toBe(renderLintRulesMarkdown());
  });
  it('documents every rule with its fix', () => {
    const text = renderLintRulesMarkdown();
    for (const r of RULES) {
      expect(text).toContain(`## ${r.code}`);
      expect(text).toContain(r.fix);
    }
  });
});
