import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../../shared/errors';
import { splitFlagWords } from '../../../shared/flag-words';
import { parsePortSpec, type PortRequest } from './port-plan';

/** What a local run needs from a template.yml (Vast's format: see reference/vast-templates.md §1). */
export interface TemplateSpec {
  name: string;
  image: string;
  tag: string;
  env: Record<string, string>;
  ports: PortRequest[];
  onstart: string;
  runtype: string | null;
  /**
   * args mode: the words passed to the image's ENTRYPOINT, from `args_str` (the field Vast's template
   * API keeps them in; create.py's model does not know it, which lint says as TS112). Empty: none.
   */
  args: string[];
}

export interface ResolvedSource {
  kind: 'template' | 'image';
  /** What the user gave: a folder path (absolute) or an image reference. */
  source: string;
  /** The image folder (build context), for a template source. */
  dir: string | null;
  /** `default`, or the template's folder name under templates/. */
  templateName: string | null;
  imageRef: string;
  template: TemplateSpec | null;
  hasDockerfile: boolean;
}

/**
 * A path is a template folder (the image folder with templates/<name>/template.yml, or a template
 * folder itself); anything else is an image reference.
 */
export async function resolveSource(
  source: string,
  options: { template?: string } = {},
): Promise<ResolvedSource> {
  const path = resolve(source);
  const kind = await pathKind(path);
  if (kind === null) {
    if (/[/\\]/.test(source) && (source.startsWith('.') || source.startsWith('/'))) {
      throw new AppError(
        'NOT_FOUND',
        `There is no folder at ${path}. Give a template folder or an image name such as tstudio/demo:dev.`,
      );
    }
    return {
      kind: 'image',
      source,
      dir: null,
      templateName: null,
      imageRef: normalizeImageRef(source),
      template: null,
      hasDockerfile: false,
    };
  }
  const { imageDir, templateFile, templateName } = await locateTemplate(
    kind === 'file' ? dirname(path) : path,
    kind === 'file' ? path : null,
    options.template,
  );
  const template = await readTemplateFile(templateFile);
  const hasDockerfile = (await pathKind(join(imageDir, 'Dockerfile'))) === 'file';
  return {
    kind: 'template',
    source: path,
    dir: imageDir,
    templateName,
    imageRef: `${template.image}:${template.tag}`,
    template,
    hasDockerfile,
  };
}

async function locateTemplate(
  dir: string,
  file: string | null,
  wanted: string | undefined,
): Promise<{ imageDir: string; templateFile: string; templateName: string }> {
  if (file)
    return {
      imageDir: dirname(dirname(dirname(file))),
      templateFile: file,
      templateName: basename(dirname(file)),
    };
  if ((await pathKind(join(dir, 'template.yml'))) === 'file') {
    // A templates/<name> folder itself: the image folder is two levels up.
    return {
      imageDir: dirname(dirname(dir)),
      templateFile: join(dir, 'template.yml'),
      templateName: basename(dir),
    };
  }
  const templatesDir = join(dir, 'templates');
  let names: string[] = [];
  try {
    const entries = await readdir(templatesDir, { withFileTypes: true });
    names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${dir} has no templates/ folder. A template folder has templates/default/template.yml next to its Dockerfile.`,
    );
  }
  const withFile: string[] = [];
  for (const name of names.sort()) {
    if ((await pathKind(join(templatesDir, name, 'template.yml'))) === 'file') withFile.push(name);
  }
  let chosen: string | undefined;
  if (wanted) {
    if (!withFile.includes(wanted)) {
      throw new AppError(
        'NOT_FOUND',
        `No template "${wanted}" in ${templatesDir}. Found: ${withFile.join(', ') || 'none'}.`,
      );
    }
    chosen = wanted;
  } else if (withFile.includes('default')) {
    chosen = 'default';
  } else if (withFile.length === 1) {
    chosen = withFile[0];
  } else if (withFile.length === 0) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${templatesDir} holds no template.yml. Create templates/default/template.yml.`,
    );
  } else {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${templatesDir} holds several templates (${withFile.join(', ')}): pick one with --template NAME.`,
    );
  }
  return {
    imageDir: dir,
    templateFile: join(templatesDir, chosen as string, 'template.yml'),
    templateName: chosen as string,
  };
}

export async function readTemplateFile(file: string): Promise<TemplateSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AppError('IO', `Could not read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AppError('TEMPLATE_INVALID', `${file} is not valid YAML: ${(err as Error).message}`);
  }
  // Vast's loader accepts one mapping or a list of them; a run uses the first.
  const entry = Array.isArray(doc) ? doc[0] : doc;
  return templateSpecFrom(entry, file);
}

export function templateSpecFrom(entry: unknown, file = 'template.yml'): TemplateSpec {
  if (!entry || typeof entry !== 'object')
    throw new AppError('TEMPLATE_INVALID', `${file} must hold a mapping with name, image and tag.`);
  const t = entry as Record<string, unknown>;
  if (typeof t.image !== 'string' || t.image.trim() === '') {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${file} has no image: set image (and tag) to the image this template runs.`,
    );
  }
  const { env, ports: envPorts } = parseTemplateEnv(t.env, file);
  const ports: PortRequest[] = [];
  if (Array.isArray(t.ports)) for (const p of t.ports) ports.push(parsePortSpec(String(p)));
  ports.push(...envPorts);
  return {
    name: typeof t.name === 'string' ? t.name : basename(dirname(file)),
    image: t.image.trim(),
    tag: t.tag === undefined || t.tag === null || t.tag === '' ? 'latest' : String(t.tag),
    env,
    ports,
    onstart: typeof t.onstart === 'string' ? t.onstart : '',
    runtype: typeof t.runtype === 'string' ? t.runtype : null,
    args: parseTemplateArgs(t.args_str, file),
  };
}

/** `args_str` as words, split the way the env string is (shlex); absent or empty gives none. */
export function parseTemplateArgs(value: unknown, file = 'template.yml'): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'string')
    throw new AppError('TEMPLATE_INVALID', `${file}: args_str must be a string of arguments.`);
  const { words, complete } = splitFlagWords(value);
  if (!complete)
    throw new AppError(
      'TEMPLATE_INVALID',
      `${file}: args_str ends inside a quote or after a backslash; close the quote.`,
    );
  return words;
}

/** A template's env: a map, a list of `K=V`, or a string of docker flags (`-p 8000:8000 -e K="V"`). */
export function parseTemplateEnv(
  value: unknown,
  file = 'template.yml',
): { env: Record<string, string>; ports: PortRequest[] } {
  const env: Record<string, string> = {};
  const ports: PortRequest[] = [];
  if (value === undefined || value === null) return { env, ports };
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq <= 0) throw new AppError('TEMPLATE_INVALID', `${file}: env entry "${s}" is not K=V.`);
      env[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return { env, ports };
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      env[k] = v === null ? '' : String(v);
    return { env, ports };
  }
  if (typeof value === 'string') {
    const { words: tokens, complete } = splitFlagWords(value);
    if (!complete) {
      throw new AppError(
        'TEMPLATE_INVALID',
        `${file}: env ends inside a quote or after a backslash; close the quote (for example -e K="V").`,
      );
    }
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      const next = tokens[i + 1];
      if ((token === '-e' || token === '--env') && next !== undefined) {
        const eq = next.indexOf('=');
        if (eq > 0) env[next.slice(0, eq)] = next.slice(eq + 1);
        i++;
      } else if ((token === '-p' || token === '--publish') && next !== undefined) {
        ports.push(parsePortSpec(next));
        i++;
      }
    }
    return { env, ports };
  }
  throw new AppError(
    'TEMPLATE_INVALID',
    `${file}: env must be a mapping, a list of K=V or a string of docker flags.`,
  );
}

/** `tstudio/demo` -> `tstudio/demo:latest`; a tag or digest is kept. */
export function normalizeImageRef(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  const tail = ref.slice(lastSlash + 1);
  if (ref.includes('@') || tail.includes(':')) return ref;
  return `${ref}:latest`;
}

async function pathKind(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}
