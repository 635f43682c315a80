/**
 * What one image's rules look at: its class, its files, its parsed Dockerfile and templates.
 * Paths in findings are relative to the opened folder, with posix separators.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { DiscoveredImage } from '../discovery';
import { ManifestDocument } from '../manifest/index';
import { ruleByCode, type RuleCode, type Severity } from './catalogue';
import { parseDockerfile, type ParsedDockerfile } from './dockerfile';

export interface Finding {
  code: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface TemplateFile {
  /** Relative to the opened root. */
  file: string;
  doc: ManifestDocument;
  /** Plain values of each entry that is a mapping (ints as bigint). */
  entries: Array<{ index: number; value: Record<string, unknown> }>;
  readme: { file: string; text: string } | null;
}

export class ImageContext {
  readonly findings: Finding[] = [];
  readonly dir: string;
  private dockerfileCache: ParsedDockerfile | null | undefined;
  private templatesCache: TemplateFile[] | undefined;

  constructor(
    readonly root: string,
    readonly image: DiscoveredImage,
  ) {
    this.dir = join(root, image.path);
  }

  get cls() {
    return this.image.class;
  }

  /** Path relative to the opened root for a path relative to the image folder. */
  rel(imageRelative: string): string {
    return relative(this.root, join(this.dir, imageRelative)).split(sep).join('/');
  }

  abs(imageRelative: string): string {
    return join(this.dir, imageRelative);
  }

  read(imageRelative: string): string | null {
    try {
      return readFileSync(this.abs(imageRelative), 'utf8');
    } catch {
      return null;
    }
  }

  exists(imageRelative: string): boolean {
    return existsSync(this.abs(imageRelative));
  }

  isExecutable(imageRelative: string): boolean {
    try {
      return (statSync(this.abs(imageRelative)).mode & 0o111) !== 0;
    } catch {
      return false;
    }
  }

  /** Files (image-relative, posix) under a folder of the image, recursively, sorted. */
  walk(imageRelative: string): string[] {
    const out: string[] = [];
    const visit = (rel: string) => {
      let entries;
      try {
        entries = readdirSync(this.abs(rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) visit(child);
        else if (e.isFile()) out.push(child);
      }
    };
    visit(imageRelative);
    return out;
  }

  /** Non-recursive list of files in a folder of the image matching a suffix. */
  list(imageRelative: string, suffix: string): string[] {
    try {
      return readdirSync(this.abs(imageRelative), { withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith(suffix))
        .map((e) => `${imageRelative}/${e.name}`)
        .sort();
    } catch {
      return [];
    }
  }

  get dockerfile(): ParsedDockerfile | null {
    if (this.dockerfileCache === undefined) {
      const text = this.read('Dockerfile');
      this.dockerfileCache = text === null ? null : parseDockerfile(text);
    }
    return this.dockerfileCache;
  }

  get templates(): TemplateFile[] {
    if (this.templatesCache) return this.templatesCache;
    const files: TemplateFile[] = [];
    for (const ref of this.image.templates) {
      const dirAbs = join(this.root, ref.dir);
      const yml = join(dirAbs, 'template.yml');
      let text: string;
      try {
        text = readFileSync(yml, 'utf8');
      } catch {
        continue;
      }
      const doc = ManifestDocument.parse(text);
      const entries: TemplateFile['entries'] = [];
      if (doc.doc.errors.length === 0) {
        for (let i = 0; i < doc.entryCount(); i++) {
          const value = doc.entryValue(i);
          if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
            entries.push({ index: i, value: value as Record<string, unknown> });
          }
        }
      }
      const readmePath = join(dirAbs, 'README.md');
      let readme: TemplateFile['readme'] = null;
      try {
        readme = {
          file: relative(this.root, readmePath).split(sep).join('/'),
          text: readFileSync(readmePath, 'utf8'),
        };
      } catch {
        readme = null;
      }
      files.push({ file: relative(this.root, yml).split(sep).join('/'), doc, entries, readme });
    }
    this.templatesCache = files;
    return files;
  }

  report(
    code: RuleCode,
    file: string,
    line: number,
    column: number,
    message: string,
    severity?: Severity,
  ): void {
    this.findings.push({
      code,
      severity: severity ?? ruleByCode(code).severity,
      file,
      line: Math.max(1, line),
      column: Math.max(1, column),
      message,
    });
  }
}

/** 1-based line and column of a character offset in a text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}
