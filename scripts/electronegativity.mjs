#!/usr/bin/env node
// node scripts/electronegativity.mjs [--json]
//
// Runs @doyensec/electronegativity over the Electron side of the app (src/main, src/preload and the
// renderer's index.html) and exits non-zero on any finding of MEDIUM severity or above that is not
// listed, with a written reason, in .electronegativity-exceptions.json.
//
// Why a script and not the package's CLI: its CLI breaks against the commander hoisted here
// (`_commander2.default.version is not a function`), so the runner is called as a library.
// The sources are copied to a staging folder first so that test files (which build fake windows on
// purpose) are not scanned and main + preload + the page are checked together: the global checks
// (navigation limits, permission handler, CSP) need to see all of them at once.
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const exceptionsFile = join(root, '.electronegativity-exceptions.json');
const json = process.argv.includes('--json');

/** Severity values of the tool (finder/attack.js): INFORMATIONAL 0, LOW 1, MEDIUM 2, HIGH 3. */
const MEDIUM = 2;

/**
 * Checks switched off, each for a reason. AvailableSecurityFixesGlobalCheck downloads Electron's
 * release list from GitHub, which CI cannot reach; the Electron version is pinned in package.json and
 * upgraded through review instead.
 */
const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck'];

function stage() {
  const dir = mkdtempSync(join(tmpdir(), 'tstudio-electronegativity-'));
  const isSource = (src) => !/\.(spec|fuzz\.spec|test)\.tsx?$/.test(src);
  cpSync(join(root, 'src', 'main'), join(dir, 'main'), { recursive: true, filter: isSource });
  cpSync(join(root, 'src', 'preload'), join(dir, 'preload'), { recursive: true, filter: isSource });
  cpSync(join(root, 'src', 'renderer', 'index.html'), join(dir, 'renderer', 'index.html'));
  return dir;
}

function loadExceptions() {
  if (!existsSync(exceptionsFile)) return [];
  const list = JSON.parse(readFileSync(exceptionsFile, 'utf8'));
  for (const e of list) {
    if (
      typeof e.id !== 'string' ||
      typeof e.file !== 'string' ||
      typeof e.reason !== 'string' ||
      e.reason.trim().length < 20
    ) {
      throw new Error(
        `${exceptionsFile}: every exception needs an id, a file and a written reason (got ${JSON.stringify(e)})`,
      );
    }
  }
  return list;
}

async function main() {
  const run = require('@doyensec/electronegativity/dist/runner.js');
  const exceptions = loadExceptions();
  const dir = stage();
  // The tool chats on console.log (translation downloads, release checks): keep our output clean.
  const chatter = [];
  const log = console.log;
  console.log = (...args) => chatter.push(args.join(' '));
  let result;
  try {
    result = await run({
      input: dir,
      isRelative: false,
      excludeFromScan: EXCLUDED_CHECKS,
      electronVersionOverride: require('electron/package.json').version,
    });
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
  const hardErrors = result.errors.filter((e) => !e.tolerable);
  const findings = result.issues.map((i) => ({
    id: i.id,
    severity: i.severity.name,
    severityValue: i.severity.value,
    confidence: i.confidence.name,
    file: i.file === 'N/A' ? 'N/A' : relative(dir, i.file).split(sep).join('/'),
    line: i.location.line,
    manualReview: Boolean(i.manualReview),
  }));
  const serious = findings.filter((f) => f.severityValue >= MEDIUM);
  const isExcepted = (f) => exceptions.some((e) => e.id === f.id && e.file === f.file);
  const unexcused = serious.filter((f) => !isExcepted(f));
  const stale = exceptions.filter((e) => !serious.some((f) => f.id === e.id && f.file === e.file));

  if (json) {
    log(
      JSON.stringify(
        { checks: result.globalChecks + result.atomicChecks, findings, unexcused, stale, errors: hardErrors },
        null,
        2,
      ),
    );
  } else {
    log(
      `electronegativity: ${result.globalChecks + result.atomicChecks} checks, ${findings.length} findings, ${serious.length} of medium severity or above, ${serious.length - unexcused.length} excepted with a reason.`,
    );
    for (const f of unexcused)
      log(`  NOT EXCEPTED  ${f.id} (${f.severity}, ${f.confidence}) ${f.file}:${f.line}`);
    for (const e of stale) log(`  stale exception (no longer found; remove it): ${e.id} ${e.file}`);
    for (const e of hardErrors) log(`  could not parse ${e.file}: ${e.message}`);
  }
  return unexcused.length > 0 || hardErrors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
