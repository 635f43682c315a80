import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../../shared/errors';
import { parseEnvFlagString } from './env-flags';

/**
 * The parts of a template.yml that launching and publishing need. A minimal reader of the format
 * (reference/vast-templates.md §1); the templates service owns the full model and validation.
 * TODO(templates): read through src/main/services/templates/index.ts once it exports its manifest
 * loader, and drop this file.
 */
export interface TemplateSource {
  /** The template.yml file. */
  file: string;
  name: string;
  image: string;
  tag: string | null;
  href: string | null;
  repo: string | null;
  desc: string | null;
  env: Record<string, string>;
  /** When the yml gives env as a Docker-flag string, kept verbatim for publishing. */
  envString: string | null;
  ports: string[];
  onstart: string | null;
  runtype: string;
  sshDirect: boolean;
  jupDirect: boolean;
  useSsh: boolean;
  useJupyterLab: boolean;
  jupyterDir: string | null;
  dockerLoginRepo: string | null;
  extraFilters: Record<string, unknown>;
  recommendedDiskSpace: number | null;
  readme: string | null;
  readmeVisible: boolean;
  private: boolean;
}

/** A template.yml, a folder holding one, or a template repo (templates/default/template.yml). */
export function resolveTemplateFile(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new AppError('NOT_FOUND', `There is no template at ${abs}.`);
  if (statSync(abs).isFile()) return abs;
  for (const candidate of ['template.yml', 'template.yaml', 'templates/default/template.yml']) {
    const f = join(abs, candidate);
    if (existsSync(f)) return f;
  }
  throw new AppError(
    'TEMPLATE_INVALID',
    `No template.yml in ${abs} (looked for template.yml and templates/default/template.yml).`,
  );
}

export function loadTemplateSource(path: string, name?: string): TemplateSource {
  const file = resolveTemplateFile(path);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${file} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const entries = Array.isArray(doc) ? doc : [doc];
  const entry = (name ? entries.find((e) => isRecord(e) && e.name === name) : entries[0]) as unknown;
  if (!isRecord(entry))
    throw new AppError('TEMPLATE_INVALID', `${file} has no template entry${name ? ` named "${name}"` : ''}.`);
  const str = (k: string): string | null =>
    entry[k] === undefined || entry[k] === null ? null : String(entry[k]);
  const bool = (k: string, d: boolean): boolean =>
    typeof entry[k] === 'boolean' ? (entry[k] as boolean) : d;
  const templateName = str('name');
  const image = str('image');
  if (!templateName) throw new AppError('TEMPLATE_INVALID', `${file}: "name" is required.`);
  if (!image) throw new AppError('TEMPLATE_INVALID', `${file}: "image" is required to launch or publish.`);

  let env: Record<string, string> = {};
  let envString: string | null = null;
  const rawEnv = entry.env;
  if (typeof rawEnv === 'string') {
    envString = rawEnv;
    env = Object.fromEntries(Object.entries(parseEnvFlagString(rawEnv)).filter(([k]) => !k.startsWith('-')));
  } else if (Array.isArray(rawEnv)) {
    for (const item of rawEnv) {
      const s = String(item);
      const at = s.indexOf('=');
      if (at > 0) env[s.slice(0, at)] = s.slice(at + 1);
    }
  } else if (isRecord(rawEnv)) {
    env = Object.fromEntries(Object.entries(rawEnv).map(([k, v]) => [k, String(v)]));
  }
  const ports = Array.isArray(entry.ports) ? entry.ports.map(String) : [];
  // A string env may carry its own -p flags: they count as ports for launching.
  if (envString) {
    for (const k of Object.keys(parseEnvFlagString(envString))) {
      const m = /^-p\s+(.+)$/.exec(k);
      if (m?.[1] && !ports.includes(m[1])) ports.push(m[1]);
    }
  }
  let extraFilters: Record<string, unknown> = {};
  if (typeof entry.extra_filters === 'string') {
    try {
      extraFilters = JSON.parse(entry.extra_filters) as Record<string, unknown>;
    } catch {
      throw new AppError('TEMPLATE_INVALID', `${file}: extra_filters is not valid JSON.`);
    }
  } else if (isRecord(entry.extra_filters)) extraFilters = entry.extra_filters;

  const readmeFile = join(dirname(file), 'README.md');
  const readme = str('readme') ?? (existsSync(readmeFile) ? readFileSync(readmeFile, 'utf8') : null);
  const disk = entry.recommended_disk_space;
  return {
    file,
    name: templateName,
    image,
    tag: str('tag'),
    href: str('href'),
    repo: str('repo'),
    desc: str('desc'),
    env,
    envString,
    ports,
    onstart: str('onstart'),
    runtype: str('runtype') ?? 'args',
    sshDirect: bool('ssh_direct', false),
    jupDirect: bool('jup_direct', false),
    useSsh: bool('use_ssh', false),
    useJupyterLab: bool('use_jupyter_lab', false),
    jupyterDir: str('jupyter_dir'),
    dockerLoginRepo: str('docker_login_repo'),
    extraFilters,
    recommendedDiskSpace:
      disk === undefined || disk === null || !Number.isFinite(Number(disk)) ? null : Number(disk),
    readme,
    readmeVisible: bool('readme_visible', true),
    private: bool('private', true),
  };
}

/** `image:tag`, unless the image already names a tag or digest. */
export function imageRef(t: Pick<TemplateSource, 'image' | 'tag'>): string {
  const lastPart = t.image.split('/').pop() ?? t.image;
  if (!t.tag || lastPart.includes(':') || t.image.includes('@')) return t.image;
  return `${t.image}:${t.tag}`;
}

/** README placeholders as create.py fills them: launch link, template name, the "updated" stamp. */
export function fillReadme(readme: string, name: string, userId: number | null, now = new Date()): string {
  const link =
    userId === null
      ? '[LAUNCH_LINK_PLACEHOLDER]'
      : `https://cloud.vast.ai/?ref_id=${userId}&creator_id=${userId}&name=${encodeURIComponent(name)}`;
  const stamp = now.toISOString().slice(0, 16).replace('T', ' ');
  return readme
    .replaceAll('<<LAUNCH_LINK>>', link)
    .replaceAll('<<SELF_REFERRAL_URL>>', link)
    .replaceAll('<<TEMPLATE_NAME>>', name)
    .replace(/updated \d{4}-\d{2}-\d{2} \d{2}:\d{2}(\s*)$/, `updated ${stamp}$1`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
