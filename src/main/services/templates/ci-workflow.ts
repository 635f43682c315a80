/**
 * The GitHub Actions workflow a template's repository gets (`tstudio new`, `tstudio ci PATH`): install
 * the CLI, lint, build, smoke in ssh mode, and on the default branch log in and push. Vast's own
 * templates guide expects every image to have such a CI; this one runs the same checks the app does.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Document, isMap, isScalar, isSeq, parse, type Node, type Pair } from 'yaml';
import { AppError } from '../../../shared/errors';

export const CI_WORKFLOW_PATH = join('.github', 'workflows', 'tstudio.yml');
const MARK = 'Written by Template Studio';

export interface CiWorkflowOptions {
  /** The template's image folder (Dockerfile + templates/<name>/template.yml). */
  templateDir: string;
  /** The CLI version to install from npm (the running app's, so CI checks what the author checked). */
  cliVersion?: string;
  /** The npm package that ships `tstudio`. */
  cliPackage?: string;
  /** Replace a tstudio.yml that was not written by Template Studio. */
  force?: boolean;
}

export interface CiWorkflowResult {
  /** The workflow file written. */
  path: string;
  /** The repository root it was written under (the nearest folder with .git, else the template folder). */
  repoRoot: string;
  /** The template folder relative to the repository root (`.` when it is the root). */
  workingDirectory: string;
  image: string;
  registry: string;
  created: boolean;
}

/** The image `name:tag` the template publishes, from its template.yml (default, else the only one). */
export function templateImageOf(templateDir: string): string {
  const templatesDir = join(templateDir, 'templates');
  let names: string[] = [];
  try {
    names = readdirSync(templatesDir).filter((n) => existsSync(join(templatesDir, n, 'template.yml')));
  } catch {
    // No templates/ at all: reported below.
  }
  const name = names.includes('default') ? 'default' : names.sort()[0];
  if (!name)
    throw new AppError(
      'TEMPLATE_INVALID',
      `${templateDir} has no templates/<name>/template.yml, so the image to build and push is unknown.`,
    );
  let doc: unknown;
  try {
    doc = parse(readFileSync(join(templatesDir, name, 'template.yml'), 'utf8'));
  } catch (err) {
    throw new AppError('TEMPLATE_INVALID', `templates/${name}/template.yml: ${(err as Error).message}`);
  }
  const fields = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const image = typeof fields.image === 'string' ? fields.image.trim() : '';
  const tag = fields.tag === undefined || fields.tag === null ? 'latest' : String(fields.tag).trim();
  if (!image) throw new AppError('TEMPLATE_INVALID', `templates/${name}/template.yml names no image.`);
  return `${image}:${tag}`;
}

/** Docker's rule: the first path part is a registry when it has a dot or a port, or is localhost. */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

function repoRootOf(dir: string): string {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return resolve(dir);
    current = parent;
  }
}

const DEFAULT_BRANCH_PUSH =
  "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)";

/** The workflow text; the steps carry ids (lint, build, smoke, login, push) that tests and users can find. */
export function renderCiWorkflow(opts: {
  image: string;
  workingDirectory: string;
  cliVersion?: string;
  cliPackage?: string;
}): string {
  const registry = registryOf(opts.image);
  const cli = `${opts.cliPackage ?? 'template-studio'}@${opts.cliVersion ?? 'latest'}`;
  const workflow = {
    name: 'tstudio',
    on: {
      push: { branches: ['**'] },
      pull_request: {},
      workflow_dispatch: {},
    },
    permissions: { contents: 'read' },
    concurrency: { group: 'tstudio-${{ github.ref }}', 'cancel-in-progress': true },
    jobs: {
      template: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 60,
        env: { IMAGE: opts.image, REGISTRY: registry },
        defaults: { run: { shell: 'bash', 'working-directory': opts.workingDirectory } },
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/setup-node@v4', with: { 'node-version': '20' } },
          { name: 'Install the tstudio CLI', id: 'install', run: `npm install --global ${cli}` },
          { name: 'Lint the template', id: 'lint', run: 'tstudio lint .' },
          { name: 'Build the image', id: 'build', run: 'tstudio build . --tag "$IMAGE"' },
          { name: 'Smoke test in ssh mode', id: 'smoke', run: 'tstudio smoke . --mode ssh' },
          {
            name: 'Log in to the registry',
            id: 'login',
            if: DEFAULT_BRANCH_PUSH,
            env: {
              REGISTRY_USER: '${{ secrets.REGISTRY_USER }}',
              REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
            },
            run: 'printf \'%s\' "$REGISTRY_PASSWORD" | docker login "$REGISTRY" --username "$REGISTRY_USER" --password-stdin',
          },
          { name: 'Push the image', id: 'push', if: DEFAULT_BRANCH_PUSH, run: 'tstudio push "$IMAGE"' },
        ],
      },
    },
  };
  const doc = new Document(workflow);
  doc.commentBefore = [
    ` ${MARK} (tstudio ci). Every push and pull request: lint the template, build its image, and`,
    ' smoke it in ssh mode the way Vast launches it (tstudio smoke: SSH login, supervisor programs,',
    ' PORTAL_CONFIG ports). Pushes to the default branch also push the image.',
    ' Repository secrets: REGISTRY_USER and REGISTRY_PASSWORD (for Docker Hub, an access token).',
  ].join('\n');
  const job = doc.getIn(['jobs', 'template'], true) as Node;
  commentKey(job, 'env', ` IMAGE comes from the template's template.yml (image:tag); REGISTRY from IMAGE.`);
  const steps = doc.getIn(['jobs', 'template', 'steps'], true);
  if (isSeq(steps)) {
    const byId = (id: string) =>
      steps.items.find((s) => isMap(s) && (s as unknown as { get(k: string): unknown }).get('id') === id) as
        Node | undefined;
    const install = byId('install');
    if (install)
      (install as { commentBefore?: string | null }).commentBefore =
        ' The CLI version the workflow was written with; raise it when you update the app.';
    const smoke = byId('smoke');
    if (smoke)
      (smoke as { commentBefore?: string | null }).commentBefore =
        " GitHub's runners have Docker but no GPU: the smoke runs CPU-only (GPU_COUNT=0), as a local run does.";
  }
  return doc.toString({ lineWidth: 0 });
}

function commentKey(node: Node, key: string, text: string): void {
  if (!isMap(node)) return;
  const pair = (node.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = text;
}

/** Writes .github/workflows/tstudio.yml in the template's repository. */
export function writeCiWorkflow(opts: CiWorkflowOptions): CiWorkflowResult {
  const templateDir = resolve(opts.templateDir);
  if (!existsSync(templateDir) || !statSync(templateDir).isDirectory())
    throw new AppError('NOT_FOUND', `There is no template folder at ${templateDir}.`);
  const image = templateImageOf(templateDir);
  const repoRoot = repoRootOf(templateDir);
  const workingDirectory = relative(repoRoot, templateDir).split(sep).join('/') || '.';
  const path = join(repoRoot, CI_WORKFLOW_PATH);
  const created = !existsSync(path);
  if (!created && !opts.force && !readFileSync(path, 'utf8').includes(MARK))
    throw new AppError(
      'CONFLICT',
      `${path} exists and was not written by Template Studio. Move it away, or replace it with --force.`,
    );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    renderCiWorkflow({ image, workingDirectory, cliVersion: opts.cliVersion, cliPackage: opts.cliPackage }),
  );
  return { path, repoRoot, workingDirectory, image, registry: registryOf(image), created };
}
