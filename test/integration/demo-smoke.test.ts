import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmoke } from '../../src/main/cli/commands/smoke';
import { formatSmokeReport, type SmokeReport } from '../../src/main/services/launch';
import { lintPath } from '../../src/main/services/templates';
import { DEMO_TEMPLATE_DIR, demoHarness, type DemoHarness } from './helpers/demo-image';

function collector() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) },
  };
}

async function imageExists(h: DemoHarness, tag: string): Promise<boolean> {
  return h.docker
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
}

describe('tstudio smoke on the demo template', () => {
  let h: DemoHarness;
  let broken: string;

  beforeAll(async () => {
    h = await demoHarness();
    // A realistic mistake: PORTAL_CONFIG names an internal port the web app does not listen on.
    broken = await mkdtemp(join(tmpdir(), 'tstudio-broken-demo-'));
    await cp(DEMO_TEMPLATE_DIR, broken, { recursive: true });
    const yml = join(broken, 'templates', 'default', 'template.yml');
    await writeFile(
      yml,
      (await readFile(yml, 'utf8')).replace(
        'localhost:8000:18000:/:Demo Web App',
        'localhost:8000:18999:/:Demo Web App',
      ),
    );
  });
  afterAll(async () => {
    await rm(broken, { recursive: true, force: true });
    await h?.cleanup();
  });

  it("has no error under the app's own linter (a new user's first lint)", () => {
    const errors = lintPath(DEMO_TEMPLATE_DIR, { warnings: true }).filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.code} ${f.file}: ${f.message}`)).toEqual([]);
  });

  it('passes (exit 0) on the demo, and removes what it made', async () => {
    const c = collector();
    const code = await runSmoke({ path: DEMO_TEMPLATE_DIR, mode: 'ssh', timeout: 150, json: true }, c.io, {
      docker: h.docker,
      runs: h.runs,
    });
    const report = JSON.parse(c.out.stdout) as SmokeReport;
    expect(report.checks.filter((x) => !x.ok && x.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    const byName = new Map(report.programs.map((p) => [p.name, p]));
    expect(byName.get('webapp')).toMatchObject({
      role: 'portal',
      state: 'RUNNING',
      app: 'Demo Web App',
      internalPort: 18000,
      listening: true,
    });
    expect(byName.get('extras')).toMatchObject({ role: 'skipped', state: 'EXITED' });
    expect(byName.get('flaky')).toMatchObject({ role: 'other', state: 'FATAL' });
    expect(report.checks.find((x) => x.name === 'program:flaky')).toMatchObject({
      ok: false,
      severity: 'warning',
    });
    expect(report.provisioning).toBe('complete');
    expect(report.checks.find((x) => x.name === 'ssh-login')).toMatchObject({ ok: true });
    expect(await h.leftoverContainers()).toEqual([]);
    expect(report.builtTag).toMatch(/^tstudio-smoke\//);
    expect(await imageExists(h, report.builtTag)).toBe(false);
  });

  it('fails (exit 1) on a broken copy, saying why', async () => {
    const c = collector();
    const code = await runSmoke({ path: broken, mode: 'ssh', timeout: 120, portGrace: 8, json: true }, c.io, {
      docker: h.docker,
      runs: h.runs,
    });
    expect(code).toBe(1);
    const report = JSON.parse(c.out.stdout) as SmokeReport;
    expect(report.ok).toBe(false);
    expect(report.checks.filter((x) => !x.ok && x.severity === 'error')).toEqual([
      {
        name: 'program:webapp',
        ok: false,
        severity: 'error',
        message: expect.stringMatching(/webapp is RUNNING but nothing listens on internal port 18999/),
      },
    ]);
    expect(formatSmokeReport(report)).toMatch(/^smoke FAILED/);
    expect(await h.leftoverContainers()).toEqual([]);
    expect(await imageExists(h, report.builtTag)).toBe(false);
  });
});
