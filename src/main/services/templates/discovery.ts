/**
 * Finds template images the way Vast's templates repository lays them out (imagegen's discover:
 * the class comes from the path): the repository root is the base image, `derivatives/*` are
 * derivatives, `derivatives/pytorch/derivatives/*` are nested under PyTorch, `external/*` graft an
 * upstream image. A folder with a provisioning script and a template.yml but no Dockerfile is a
 * provisioning-only template (no image of its own: it runs on a stock Vast image).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../../shared/errors';

export type TemplateClass = 'base' | 'derivative' | 'pytorch-nested' | 'external' | 'provisioning-only';

export interface TemplateRef {
  name: string;
  /** Folder holding template.yml, relative to the opened root (posix separators). */
  dir: string;
}

export interface DiscoveredImage {
  /** Relative to the opened root, posix separators; '' for the root itself. */
  path: string;
  name: string;
  class: TemplateClass;
  hasDockerfile: boolean;
  templates: TemplateRef[];
}

export interface OpenedFolder {
  root: string;
  kind: 'image' | 'repository';
  images: DiscoveredImage[];
}

const toPosix = (p: string) => p.split(sep).join('/');

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function subdirs(p: string): string[] {
  if (!isDir(p)) return [];
  return readdirSync(p, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

/** templates/<name>/template.yml under an image, plus a template.yml right in the folder. */
export function listTemplates(root: string, imageDir: string): TemplateRef[] {
  const abs = join(root, imageDir);
  const refs: TemplateRef[] = [];
  if (existsSync(join(abs, 'template.yml')))
    refs.push({ name: basename(resolve(abs)), dir: toPosix(imageDir) || '' });
  for (const name of subdirs(join(abs, 'templates'))) {
    if (existsSync(join(abs, 'templates', name, 'template.yml'))) {
      refs.push({ name, dir: toPosix(join(imageDir, 'templates', name)) });
    }
  }
  return refs;
}

function hasProvisioningScript(abs: string): boolean {
  try {
    return readdirSync(abs).some((f) => f.endsWith('.sh') && statSync(join(abs, f)).isFile());
  } catch {
    return false;
  }
}

function isProvisioningOnly(root: string, dir: string): boolean {
  const abs = join(root, dir);
  return (
    !existsSync(join(abs, 'Dockerfile')) && hasProvisioningScript(abs) && listTemplates(root, dir).length > 0
  );
}

function image(root: string, dir: string, cls: TemplateClass): DiscoveredImage {
  return {
    path: toPosix(dir),
    name: dir === '' ? basename(resolve(root)) : basename(dir),
    class: cls,
    hasDockerfile: existsSync(join(root, dir, 'Dockerfile')),
    templates: listTemplates(root, dir),
  };
}

/** The class of a single image folder opened on its own: from its path, else from its contents. */
export function classifyByPath(absDir: string): TemplateClass | null {
  const parent = basename(dirname(absDir));
  const grand = basename(dirname(dirname(absDir)));
  const great = basename(dirname(dirname(dirname(absDir))));
  if (!existsSync(join(absDir, 'Dockerfile')))
    return hasProvisioningScript(absDir) ? 'provisioning-only' : null;
  if (parent === 'derivatives' && grand === 'pytorch' && great === 'derivatives') return 'pytorch-nested';
  if (parent === 'derivatives') return 'derivative';
  if (parent === 'external') return 'external';
  return null;
}

function looksLikeRepository(abs: string): boolean {
  return isDir(join(abs, 'derivatives')) || isDir(join(abs, 'external'));
}

/** Open a folder: a whole repository of images, or one image folder. */
export function openFolder(path: string): OpenedFolder {
  const root = resolve(path);
  if (!isDir(root))
    throw new AppError(
      'NOT_FOUND',
      `${root} is not a folder. Open a template image folder or a repository of them.`,
    );
  if (looksLikeRepository(root)) {
    const images: DiscoveredImage[] = [];
    if (existsSync(join(root, 'Dockerfile'))) images.push(image(root, '', 'base'));
    for (const name of subdirs(join(root, 'derivatives'))) {
      const dir = join('derivatives', name);
      if (existsSync(join(root, dir, 'Dockerfile'))) images.push(image(root, dir, 'derivative'));
      else if (isProvisioningOnly(root, dir)) images.push(image(root, dir, 'provisioning-only'));
    }
    for (const name of subdirs(join(root, 'derivatives', 'pytorch', 'derivatives'))) {
      const dir = join('derivatives', 'pytorch', 'derivatives', name);
      if (existsSync(join(root, dir, 'Dockerfile'))) images.push(image(root, dir, 'pytorch-nested'));
      else if (isProvisioningOnly(root, dir)) images.push(image(root, dir, 'provisioning-only'));
    }
    for (const name of subdirs(join(root, 'external'))) {
      const dir = join('external', name);
      if (existsSync(join(root, dir, 'Dockerfile'))) images.push(image(root, dir, 'external'));
    }
    // Provisioning-only templates may live anywhere else one or two levels down.
    for (const name of subdirs(root)) {
      if (['derivatives', 'external', 'templates', 'ROOT', 'node_modules'].includes(name)) continue;
      if (isProvisioningOnly(root, name)) images.push(image(root, name, 'provisioning-only'));
      for (const child of subdirs(join(root, name))) {
        if (child === 'templates') continue;
        const dir = join(name, child);
        if (isProvisioningOnly(root, dir)) images.push(image(root, dir, 'provisioning-only'));
      }
    }
    return { root, kind: 'repository', images };
  }
  const byPath = classifyByPath(root);
  if (byPath) return { root, kind: 'image', images: [image(root, '', byPath)] };
  if (existsSync(join(root, 'Dockerfile'))) {
    return { root, kind: 'image', images: [image(root, '', classifyByDockerfileHint(root))] };
  }
  if (listTemplates(root, '').length > 0)
    return { root, kind: 'image', images: [image(root, '', 'provisioning-only')] };
  throw new AppError(
    'TEMPLATE_INVALID',
    `${root} holds no Dockerfile, no template.yml and no derivatives/ or external/ folder: it is not a template image or repository.`,
  );
}

/** A lone image folder outside a repository layout: guess the class from the FROM line. */
function classifyByDockerfileHint(root: string): TemplateClass {
  let text = '';
  try {
    // Comments may mention other images ("follows vastai/base-image's conventions"): read instructions only.
    text = readFileText(join(root, 'Dockerfile'))
      .split('\n')
      .filter((line) => !/^\s*#/.test(line))
      .join('\n');
  } catch {
    return 'derivative';
  }
  if (/\bAS\s+vast_base_image\b/i.test(text) || /convert-non-vast-image/.test(text)) return 'external';
  if (/vastai\/pytorch/.test(text)) return 'pytorch-nested';
  if (/vastai\/base-image/.test(text)) return 'derivative';
  return 'base';
}

function readFileText(p: string): string {
  return readFileSync(p, 'utf8');
}

/** Relative posix path of `abs` inside `root`. */
export function relativePosix(root: string, abs: string): string {
  return toPosix(relative(root, abs));
}
