import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateWorkflow } from '@action-validator/core';
import { runNew } from '../../src/main/cli/commands/new';
import { runCi } from '../../src/main/cli/commands/ci';
import { CI_WORKFLOW_PATH, writeCiWorkflow } from '../../src/main/services/templates';
import { DEMO_TEMPLATE_DIR, REPO_ROOT } from './helpers/demo-image';
import { CLI } from './helpers/cli';

interface Step {
  id?: string;
  name?: string;
  run?: string;
  if?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    { env: Record<string, string>; defaults: { run: { 'working-directory': string } }; steps: Step[] }
  >;
}

function bash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The script is a `run:` line of the workflow our own generator wrote, not user input.
    execFile(
      'bash',
      ['-e', '-o', 'pipefail', '-c', script],
      { cwd, env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

function collector() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s) },
  };
}

describe('template CI: the workflow tstudio new and tstudio ci write', () => {
  let work: string;
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const testImage = `tstudio-test/ci-${randomBytes(4).toString('hex')}:it`;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tstudio-it-ci-'));
  });
  afterAll(async () => {
    await docker
      .getImage(testImage)
      .remove({ force: true })
      .catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('passes action-validator (a real workflow schema check), and a broken one does not', async () => {
    const copy = join(work, 'validate');
    await cp(DEMO_TEMPLATE_DIR, copy, { recursive: true });
    const result = writeCiWorkflow({ templateDir: copy, cliVersion: '0.1.0' });
    expect(result).toMatchObject({
      path: join(copy, CI_WORKFLOW_PATH),
      workingDirectory: '.',
      image: 'tstudio/demo:dev',
      registry: 'docker.io',
      created: true,
    });
    const text = await readFile(result.path, 'utf8');
    expect(validateWorkflow(text).errors).toEqual([]);
    // The validator's own CLI, as a template repository's pre-commit hook would run it.
    const cliCheck = await bash(
      `'${join(REPO_ROOT, 'node_modules', '.bin', 'action-validator')}' '${result.path}'`,
      copy,
      {},
    );
    expect(cliCheck.code, cliCheck.stderr).toBe(0);
    expect(
      validateWorkflow(text.replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest')).errors,
    ).not.toEqual([]);

    const wf = parse(text) as Workflow;
    const steps = wf.jobs.template!.steps;
    const byId = (id: string) => steps.find((s) => s.id === id)!;
    expect(byId('install').run).toBe('npm install --global template-studio@0.1.0');
    expect(byId('smoke').run).toBe('tstudio smoke . --mode ssh');
    // Only pushes to the default branch log in and push, with the repository's secrets.
    const onDefaultBranch =
      "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";
    expect(byId('login').if).toBe(onDefaultBranch);
    expect(byId('push').if).toBe(onDefaultBranch);
    expect(byId('login').env).toEqual({
      REGISTRY_USER: '${{ secrets.REGISTRY_USER }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    expect(byId('login').run).toContain('--password-stdin');
    expect(byId('push').run).toBe('tstudio push "$IMAGE"');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    // A second write refreshes its own file; a foreign tstudio.yml is refused without --force.
    expect(writeCiWorkflow({ templateDir: copy }).created).toBe(false);
  });

  it("runs the workflow's lint, build and smoke steps against the demo template", async () => {
    const copy = join(work, 'steps');
    await cp(DEMO_TEMPLATE_DIR, copy, { recursive: true });
    const { path } = writeCiWorkflow({ templateDir: copy });
    const wf = parse(await readFile(path, 'utf8')) as Workflow;
    const job = wf.jobs.template!;
    const cwd = join(copy, job.defaults.run['working-directory']);
    const dataDir = await mkdtemp(join(tmpdir(), 'tstudio-it-ci-data-'));
    // The job's env, with a test tag so the build never touches another checkout's tstudio/demo:dev.
    const env = { ...job.env, IMAGE: testImage, TSTUDIO_DATA_DIR: dataDir };
    const timings: string[] = [];
    try {
      for (const id of ['lint', 'build', 'smoke']) {
        const step = job.steps.find((s) => s.id === id)!;
        expect(step.run).toMatch(/^tstudio /);
        const command = step.run!.replace(/^tstudio /, `node '${CLI}' `);
        const started = Date.now();
        const result = await bash(command, cwd, env);
        timings.push(`${id} ${Date.now() - started} ms`);
        expect(result.code, `${id}: ${step.run}\n${result.stdout}\n${result.stderr}`).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    expect((await docker.getImage(testImage).inspect()).RepoTags).toContain(testImage);
    console.log(`workflow steps: ${timings.join(', ')}`);
  });

  it('tstudio new writes the workflow (valid) next to a derivative scaffold; --no-ci and provisioning do not; tstudio ci refuses a foreign file', async () => {
    const c = collector();
    expect(await runNew({ class: 'derivative', name: 'ci-app', dir: work }, c.io)).toBe(0);
    const workflow = join(work, 'ci-app', CI_WORKFLOW_PATH);
    expect(c.out.stdout).toContain(`CI workflow: ${workflow}`);
    const text = await readFile(workflow, 'utf8');
    expect(validateWorkflow(text).errors).toEqual([]);
    expect((parse(text) as Workflow).jobs.template!.env.IMAGE).toBe('vastai/ci-app:CHANGEME');

    expect(await runNew({ class: 'derivative', name: 'no-ci', dir: work, ci: false }, collector().io)).toBe(
      0,
    );
    await expect(readFile(join(work, 'no-ci', CI_WORKFLOW_PATH))).rejects.toThrow();
    expect(await runNew({ class: 'provisioning', name: 'prov', dir: work }, collector().io)).toBe(0);
    await expect(readFile(join(work, 'prov', CI_WORKFLOW_PATH))).rejects.toThrow();

    const foreign = join(work, 'foreign');
    await cp(DEMO_TEMPLATE_DIR, foreign, { recursive: true });
    await mkdir(join(foreign, '.github', 'workflows'), { recursive: true });
    await writeFile(join(foreign, CI_WORKFLOW_PATH), 'name: mine\n');
    const refused = collector();
    expect(await runCi({ path: foreign }, refused.io)).toBe(1);
    expect(refused.out.stderr).toMatch(/not written by Template Studio.*--force/);
    expect(await runCi({ path: foreign, force: true }, collector().io)).toBe(0);
    expect(await readFile(join(foreign, CI_WORKFLOW_PATH), 'utf8')).toContain('Written by Template Studio');
  });
});
