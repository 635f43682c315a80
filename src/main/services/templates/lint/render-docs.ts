/** docs/lint-rules.md, generated from the catalogue (scripts/gen-lint-docs.mjs writes it). */
import { RULES } from './catalogue';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderLintRulesMarkdown(): string {
  const lines = [
    '# Lint rules',
    '',
    '> Generated from `src/main/services/templates/lint/catalogue.ts` by `node scripts/gen-lint-docs.mjs`.',
    '> Do not edit by hand: a unit test fails when this file and the catalogue disagree.',
    '',
    "Codes `L0xx` are Vast's own linter's (`imagegen lint` in vast-ai/base-image), with the same meaning.",
    "Codes `TS1xx` are Template Studio's: conventions of Vast's runtime and templates that Vast's linter does not check.",
    '`tstudio lint PATH` exits 1 when there is an error; warnings are shown with `--warn`.',
    '',
    '| Code | Severity | Rule |',
    '|---|---|---|',
    ...RULES.map((r) => `| [${r.code}](#${r.code.toLowerCase()}) | ${r.severity} | ${cell(r.title)} |`),
    '',
  ];
  for (const r of RULES) {
    lines.push(
      `## ${r.code}`,
      '',
      `**${r.title}** (${r.severity}${r.origin === 'vast' ? ", Vast's rule" : ''})`,
      '',
      r.checks,
      '',
      `- Violation: ${r.violation}`,
      `- Fix: ${r.fix}`,
      '',
    );
  }
  return lines.join('\n');
}
