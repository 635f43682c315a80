#!/usr/bin/env node
// Writes docs/lint-rules.md from the lint rule catalogue (the one source for UI, CLI and docs).
// Usage: node scripts/gen-lint-docs.mjs [--check]   (--check exits 1 when the file is stale)
// The catalogue is TypeScript, so it is loaded through Vite's module runner (no build step).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'docs', 'lint-rules.md');
const { module } = await runnerImport(join(root, 'src/main/services/templates/lint/render-docs.ts'), {
  root,
  configFile: false,
  logLevel: 'error',
});
const text = module.renderLintRulesMarkdown();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('docs/lint-rules.md is stale: run node scripts/gen-lint-docs.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
