/** The tstudio lint / portal / new CLI functions, called the way the CLI calls them. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLint } from '../../src/main/cli/commands/lint';
import { runNew } from '../../src/main/cli/commands/new';
import { runPortal } from '../../src/main/cli/commands/portal';

const work = mkdtempSync(join(tmpdir(), 'tstudio-cli-templates-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) },
  };
}

describe('tstudio new', () => {
  it('scaffolds and lists the placeholders left to fill', async () => {
    const { out, io: cli } = io();
    expect(await runNew({ class: 'derivative', name: 'cli-app', port: '8188', dir: work }, cli)).toBe(0);
    expect(out.stdout).toContain(`Created ${join(work, 'cli-app')}`);
    expect(out.stdout).toMatch(/Fill in these \d+ placeholder/);
    expect(readFileSync(join(work, 'cli-app/templates/default/template.yml'), 'utf8')).toContain(
      'localhost:8188:18188:/:cli-app',
    );
  });
  it('refuses a bad class, name or an existing folder', async () => {
    const a = io();
    expect(await runNew({ class: 'nested', name: 'x', dir: work }, a.io)).toBe(2);
    const b = io();
    expect(await runNew({ class: 'external', name: 'Bad Name', dir: work }, b.io)).toBe(1);
    expect(b.out.stderr).toMatch(/lowercase letters/);
    const c = io();
    expect(await runNew({ class: 'derivative', name: 'cli-app', dir: work }, c.io)).toBe(1);
    expect(c.out.stderr).toMatch(/already exists/);
  });
});

describe('tstudio lint', () => {
  it('exits 1 on errors and prints JSON findings relative to PATH', async () => {
    const { out, io: cli } = io();
    const code = await runLint({ path: join(work, 'cli-app'), json: true }, cli);
    expect(code).toBe(1);
    const parsed = JSON.parse(out.stdout) as { findings: Array<Record<string, unknown>> };
    expect(parsed.findings.length).toBeGreaterThan(0);
    for (const f of parsed.findings) {
      expect(Object.keys(f)).toEqual(['code', 'severity', 'file', 'line', 'column', 'message']);
      expect(f.severity === 'error' || f.severity === 'warning').toBe(true);
      expect(String(f.file).startsWith('/')).toBe(false);
    }
    expect(
      parsed.findings.some((f) => f.code === 'L040' && f.file === 'templates/default/template.yml'),
    ).toBe(true);
  });

  it('exits 0 on a clean folder; warnings appear only with --warn', async () => {
    const dir = join(work, 'clean');
    const made = io();
    await runNew({ class: 'derivative', name: 'clean', dir: work }, made.io);
    for (const rel of [
      'Dockerfile',
      'README.md',
      'ROOT/opt/supervisor-scripts/clean.sh',
      'templates/default/template.yml',
      'templates/default/README.md',
    ]) {
      const file = join(dir, rel);
      const text = readFileSync(file, 'utf8')
        .replace(/BASE_TAG=CHANGEME/, 'BASE_TAG=2025-06-01')
        .replace(/CHANGEME/g, 'v1')
        .replace(/>>> FILL/g, 'Note')
        // Drop the provisioning wait: a warning (TS102), not an error.
        .replace(/while \[ -f "\/\.provisioning" \]; do[\s\S]*?done\n/, '');
      writeFileSync(file, text);
    }
    chmodSync(join(dir, 'ROOT/opt/supervisor-scripts/clean.sh'), 0o755);
    const plain = io();
    expect(await runLint({ path: dir }, plain.io)).toBe(0);
    expect(plain.out.stdout).toBe('No problems found.\n');
    const warned = io();
    expect(await runLint({ path: dir, warn: true, json: true }, warned.io)).toBe(0);
    expect(JSON.parse(warned.out.stdout).findings).toMatchObject([
      { code: 'TS102', severity: 'warning', file: 'ROOT/opt/supervisor-scripts/clean.sh' },
    ]);
  });

  it('says why a path cannot be linted', async () => {
    const { out, io: cli } = io();
    expect(await runLint({ path: join(work, 'missing') }, cli)).toBe(2);
    expect(out.stderr).toMatch(/is not a folder/);
  });
});

describe('tstudio portal', () => {
  it('prints /etc/portal.yaml', async () => {
    const { out, io: cli } = io();
    expect(
      await runPortal(
        { config: 'localhost:1111:11111:/:Instance Portal|localhost:8188:18188:/:ComfyUI' },
        cli,
      ),
    ).toBe(0);
    expect(out.stdout).toBe(
      'applications:\n  Instance Portal:\n    hostname: localhost\n    external_port: 1111\n    internal_port: 11111\n    open_path: /\n    name: Instance Portal\n' +
        '  ComfyUI:\n    hostname: localhost\n    external_port: 8188\n    internal_port: 18188\n    open_path: /\n    name: ComfyUI\n',
    );
  });
  it('exits 1 with the error', async () => {
    const { out, io: cli } = io();
    expect(await runPortal({ config: 'localhost:1111:11111:/:Instance Portal|' }, cli)).toBe(1);
    expect(out.stderr).toMatch(/^Error: Entry 2 is empty/);
    expect(out.stdout).toBe('');
  });
});
