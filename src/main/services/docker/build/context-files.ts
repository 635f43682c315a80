import { lstat, readFile, readdir } from 'node:fs/promises';
import { isAbsolute, join, normalize, posix, relative, sep } from 'node:path';
import ignore from '@balena/dockerignore';
import { AppError } from '../../../../shared/errors';

export interface ContextListing {
  /** Paths relative to the context folder, with forward slashes, in the order the docker CLI sends them. */
  entries: string[];
  /** Sum of the regular files' sizes. */
  bytes: number;
  /** The .dockerignore patterns applied (after the Dockerfile and .dockerignore exceptions). */
  patterns: string[];
}

/** The Dockerfile path inside the context, with forward slashes; refuses one outside it. */
export function dockerfileInContext(contextDir: string, dockerfile: string): string {
  const rel = isAbsolute(dockerfile) ? relative(contextDir, dockerfile) : normalize(dockerfile);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new AppError(
      'BUILD_FAILED',
      `The Dockerfile ${dockerfile} is outside the build context ${contextDir}. Move it into the folder, or build from a folder that contains it.`,
    );
  }
  return rel.split(sep).join('/');
}

/** .dockerignore lines as the docker CLI reads them: comments and blank lines dropped. */
export function readIgnorePatterns(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

/**
 * Lists what the docker CLI would put in the build context tar: .dockerignore applied with
 * Docker's own matching (@balena/dockerignore follows moby's fileutils), the Dockerfile and
 * .dockerignore always sent (the CLI's TrimBuildFilesFromExcludes), and moby's archive walk quirk:
 * an excluded folder is still entered only when an exception pattern starts with its path.
 */
export async function listContextEntries(contextDir: string, dockerfile: string): Promise<ContextListing> {
  let ignoreText = '';
  try {
    ignoreText = await readFile(join(contextDir, '.dockerignore'), 'utf8');
  } catch {
    // No .dockerignore: everything is sent.
  }
  const patterns = readIgnorePatterns(ignoreText);
  const matcher = ignore({}).add(patterns);
  for (const always of ['.dockerignore', dockerfile]) {
    if (matcher.ignores(always)) {
      patterns.push(`!${always}`);
      matcher.add(`!${always}`);
    }
  }
  const exceptions = patterns
    .filter((p) => p.startsWith('!'))
    .map((p) => posix.normalize(p.slice(1).trim()).replace(/^\/+/, ''));

  const entries: string[] = [];
  let bytes = 0;
  const walk = async (relDir: string): Promise<void> => {
    const names = (await readdir(join(contextDir, relDir))).sort();
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      const info = await lstat(join(contextDir, rel));
      const isDir = info.isDirectory();
      if (matcher.ignores(rel)) {
        if (!isDir) continue;
        if (exceptions.length === 0) continue;
        if (exceptions.some((e) => `${e}/`.startsWith(`${rel}/`))) await walk(rel);
        continue;
      }
      if (info.isSocket()) continue;
      entries.push(rel);
      if (isDir) await walk(rel);
      else if (info.isFile()) bytes += info.size;
    }
  };
  await walk('');
  return { entries, bytes, patterns };
}
