#!/usr/bin/env node
// npm run bench [-- NAME...]: runs every benchmark (bench/*.bench.mjs) or only the named entries,
// each side by side with its baseline in one run, then writes bench/results.json and prints a table.
//
// A benchmark is a script that prints, on stdout, one JSON line per entry it measured:
//   {"name", "value", "baseline", "unit", "goal", "better": "lower"|"higher", "detail"?}
// `value` and `goal` are in the same terms (a ratio, or a percentile in ms). The runner adds
// `holds` and `at`.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const resultsFile = join(here, 'results.json');
const wanted = process.argv.slice(2).filter((a) => a !== '--');

const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort();

/** A script may measure several entries; it is run if any of them is wanted, or its file name is. */
function selected(file) {
  if (wanted.length === 0) return true;
  const base = file.replace(/\.bench\.mjs$/, '');
  const declared = (readFileSync(join(here, file), 'utf8').match(/@entries\s+([^\n]+)/)?.[1] ?? base).split(
    /[\s,]+/,
  );
  return wanted.some((w) => w === base || declared.includes(w));
}

function run(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(here, file)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => {
      const entries = [];
      for (const line of out.split('\n')) {
        const t = line.trim();
        if (!t.startsWith('{')) continue;
        try {
          const e = JSON.parse(t);
          if (typeof e.name === 'string' && typeof e.value === 'number') entries.push(e);
        } catch {
          // Not a result line.
        }
      }
      resolve({ code, entries });
    });
  });
}

const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
const results = { ...previous };
let failed = false;
for (const file of scripts.filter(selected)) {
  process.stderr.write(`\n▶ ${file}\n`);
  const { code, entries } = await run(file);
  if (code !== 0 || entries.length === 0) {
    failed = true;
    process.stderr.write(`✗ ${file} exited ${code} with ${entries.length} result(s)\n`);
  }
  for (const e of entries) {
    if (wanted.length > 0 && !wanted.includes(e.name) && !wanted.includes(file.replace(/\.bench\.mjs$/, '')))
      continue;
    const holds = e.better === 'higher' ? e.value >= e.goal : e.value <= e.goal;
    results[e.name] = {
      value: e.value,
      baseline: e.baseline ?? null,
      unit: e.unit,
      goal: e.goal,
      holds,
      at: new Date().toISOString(),
      ...(e.detail ? { detail: e.detail } : {}),
    };
  }
}
writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');

const rows = Object.entries(results).sort(([a], [b]) => a.localeCompare(b));
const fmt = (v) =>
  typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)) : String(v ?? '—');
console.log('\n| benchmark | value | goal | unit | baseline | holds | at |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, r] of rows) {
  console.log(
    `| ${name} | ${fmt(r.value)} | ${fmt(r.goal)} | ${r.unit} | ${fmt(r.baseline)} | ${r.holds ? 'yes' : 'NO'} | ${r.at} |`,
  );
}
process.exitCode = failed ? 1 : 0;
