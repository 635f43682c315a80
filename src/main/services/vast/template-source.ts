import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../../shared/errors';
import { foldEnv, YAML_OPTIONS } from '../templates/index';
import { parseEnvFlagString } from './env-flags';

/**
 * The parts of a template.yml that launching and publishing need (reference/vast-templates.md §1).
 * The templates service owns the full model and validation; the env fold for publishing is its
 * create.py-exact `foldEnv`.
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
  /** `env` + `ports` folded into one Docker-flag string exactly as create.py does (for publishing). */
  foldedEnv: string;
  ports: string[];
  onstart: string | null;
  /** args mode's arguments as one string (Vast's template API field; lint warns with TS112). */
  argsStr: string | null;
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
  const text = readFileSync(file, 'utf8');
  // Read twice: plain JSON-able values for the API, and create.py's YAML 1.1 + Python int view for
  // the env fold (an unquoted 8000 and 8000.0 fold differently there).
  let doc: unknown;
  let pyDoc: unknown;
  try {
    doc = parseYaml(text);
    pyDoc = parseYaml(text, YAML_OPTIONS);
  } catch (err) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${file} is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const pick = (d: unknown): unknown => {
    const entries = Array.isArray(d) ? d : [d];
    return name ? entries.find((e) => isRecord(e) && e.name === name) : entries[0];
  };
  const entry = pick(doc);
  const pyEntry = pick(pyDoc);
  if (!isRecord(entry) || !isRecord(pyEntry)) {
    throw new AppError('TEMPLATE_INVALID', `${file} has no template entry${name ? ` named "${name}"` : ''}.`);
  }
  const str = (k: string): string | null =>
    entry[k] === undefined || entry[k] === null ? null : String(entry[k]);
  const bool = (k: string, d: boolean): boolean =>
    typeof entry[k] === 'boolean' ? (entry[k] as boolean) : d;
  const templateName = str('name');
  const image = str('image');
  if (!templateName) throw new AppError('TEMPLATE_INVALID', `${file}: "name" is required.`);
  if (!image) throw new AppError('TEMPLATE_INVALID', `${file}: "image" is required to launch or publish.`);

  let env: Record<string, string> = {};
  const rawEnv = entry.env;
  const envString = typeof rawEnv === 'string' ? rawEnv : null;
  if (typeof rawEnv === 'string') {
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
    foldedEnv: String(foldEnv(pyEntry.ports, pyEntry.env) ?? ''),
    ports,
    onstart: str('onstart'),
    argsStr: str('args_str') || null,
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
