/**
 * The templates domain as one object for the shells: open folders (remembered, watched), lint,
 * read and save manifests and files, scaffold, PORTAL_CONFIG. File access is confined to folders
 * the user opened, because the browser shell passes paths from a remote page.
 */
import { existsSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../../../shared/errors';
import { openFolder, type OpenedFolder } from './discovery';
import { RULES } from './lint/catalogue';
import type { Finding } from './lint/context';
import { lintOpened } from './lint/run-lint';
import { ManifestDocument, applyManifestEdits, type ManifestEdit } from './manifest/index';
import { manifestEntries, type ManifestEntryView } from './manifest-view';
import { parsePortalConfig, renderPortalYaml, type PortalEntry } from './portal/index';
import { RecentFolders, type RecentFolder } from './recent-folders';
import { scaffoldTemplate, type ScaffoldOptions, type ScaffoldResult } from './scaffold';
import { watchFolder, type FolderWatcher } from './watcher';

export interface TemplateServiceOptions {
  /** Where the recent-folders list lives. */
  dataDir: string;
  /** Called with files changed outside the app (relative to root), debounced. */
  onFilesChanged?: (root: string, files: string[]) => void;
  /** Set false in tests and the CLI: no fs.watch. */
  watch?: boolean;
}

export interface ManifestView {
  file: string;
  isList: boolean;
  entries: ManifestEntryView[];
  problems: Array<{ line: number; column: number; message: string }>;
  readme: string | null;
  text: string;
}

const MAX_WATCHED = 8;
// Our own saves also fire fs.watch; they are not "outside" changes.
const OWN_WRITE_GRACE_MS = 1500;

export class TemplateService {
  private readonly recentFolders: RecentFolders;
  private readonly watchers = new Map<string, FolderWatcher>();
  private readonly opened = new Set<string>();
  private readonly ownWrites = new Map<string, number>();

  constructor(private readonly options: TemplateServiceOptions) {
    this.recentFolders = new RecentFolders(options.dataDir);
  }

  open(path: string): OpenedFolder {
    const opened = openFolder(path);
    this.opened.add(opened.root);
    this.recentFolders.add(opened.root);
    if (this.options.watch !== false && !this.watchers.has(opened.root)) {
      if (this.watchers.size >= MAX_WATCHED) {
        const [oldest] = this.watchers.keys();
        this.watchers.get(oldest!)?.close();
        this.watchers.delete(oldest!);
      }
      const root = opened.root;
      this.watchers.set(
        root,
        watchFolder(root, (files) => {
          const now = Date.now();
          const outside = files.filter(
            (f) => (this.ownWrites.get(join(root, f)) ?? 0) + OWN_WRITE_GRACE_MS < now,
          );
          if (outside.length > 0) this.options.onFilesChanged?.(root, outside);
        }),
      );
    }
    return opened;
  }

  recent(): RecentFolder[] {
    return this.recentFolders.list();
  }

  lint(path: string, warnings = true): { findings: Finding[]; rules: typeof RULES } {
    return { findings: lintOpened(openFolder(path), { warnings }), rules: RULES };
  }

  rules() {
    return RULES;
  }

  /** An absolute path inside a folder the user opened (or opened before), or an error. */
  private inside(root: string, file: string): { root: string; abs: string; rel: string } {
    const absRoot = resolve(root);
    const known = this.opened.has(absRoot) || this.recentFolders.list().some((r) => r.path === absRoot);
    if (!known)
      throw new AppError('NOT_FOUND', `${absRoot} is not an opened template folder; open it first.`);
    const abs = resolve(absRoot, file);
    const rel = relative(absRoot, abs);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new AppError('VALIDATION', `${file} is outside the opened folder ${absRoot}.`);
    }
    // A cloned template may hold a symbolic link to /etc or ~/.ssh: the path is checked again once
    // every link in it is followed, so reads and writes stay inside the folder the user opened.
    let realRoot: string;
    try {
      realRoot = realpathSync(absRoot);
    } catch {
      throw new AppError('NOT_FOUND', `${absRoot} no longer exists; open the folder again.`);
    }
    const realRel = relative(realRoot, realpathOfLongestExisting(abs));
    if (realRel.startsWith('..') || isAbsolute(realRel)) {
      throw new AppError(
        'VALIDATION',
        `${file} leads outside the opened folder ${absRoot} through a symbolic link; it is not read or written.`,
      );
    }
    return { root: absRoot, abs, rel: rel.split(sep).join('/') };
  }

  read(root: string, template: string): ManifestView {
    const { abs, rel } = this.inside(root, join(template, 'template.yml'));
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      throw new AppError('NOT_FOUND', `There is no template.yml in ${template}.`);
    }
    const md = ManifestDocument.parse(text);
    const readmePath = join(abs, '..', 'README.md');
    return {
      file: rel,
      isList: md.isList,
      entries: md.doc.errors.length === 0 ? manifestEntries(md) : [],
      problems: md.problems().map((p) => ({ line: p.line, column: p.column, message: p.message })),
      readme: existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : null,
      text,
    };
  }

  readFile(root: string, file: string): { file: string; text: string; executable: boolean } {
    const { abs, rel } = this.inside(root, file);
    try {
      const stat = statSync(abs);
      if (stat.size > 5 * 1024 * 1024)
        throw new AppError('IO', `${rel} is larger than 5 MB; open it in another editor.`);
      return { file: rel, text: readFileSync(abs, 'utf8'), executable: (stat.mode & 0o111) !== 0 };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('NOT_FOUND', `Cannot read ${rel}: ${(err as Error).message}`);
    }
  }

  saveManifest(root: string, template: string, edits: ManifestEdit[]): { file: string; text: string } {
    const { abs, rel } = this.inside(root, join(template, 'template.yml'));
    let current: string;
    try {
      current = readFileSync(abs, 'utf8');
    } catch {
      // Found by the contract fuzz: a missing template.yml surfaced as INTERNAL ("please report this").
      throw new AppError('NOT_FOUND', `There is no template.yml in ${template}; nothing to edit.`);
    }
    const text = applyManifestEdits(current, edits);
    this.write(abs, text);
    return { file: rel, text };
  }

  saveFile(root: string, file: string, text: string): { file: string; text: string } {
    const { abs, rel } = this.inside(root, file);
    if (rel.endsWith('template.yml')) {
      const yamlErrors = ManifestDocument.parse(text).doc.errors;
      if (yamlErrors.length > 0) {
        throw new AppError(
          'TEMPLATE_INVALID',
          `Not saved: template.yml would not parse (${yamlErrors[0]!.message.split('\n')[0]}).`,
        );
      }
    }
    this.write(abs, text);
    return { file: rel, text };
  }

  private write(abs: string, text: string): void {
    this.ownWrites.set(abs, Date.now());
    try {
      // writeFileSync on an existing file keeps its mode (launch scripts stay executable).
      writeFileSync(abs, text);
    } catch (err) {
      throw new AppError('IO', `Could not write ${abs}: ${(err as Error).message}`);
    }
  }

  scaffold(options: ScaffoldOptions): ScaffoldResult {
    return scaffoldTemplate(options);
  }

  portal(config: string): { ok: true; rows: PortalEntry[]; yaml: string } | { ok: false; error: string } {
    const parsed = parsePortalConfig(config);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    return { ok: true, rows: parsed.entries, yaml: renderPortalYaml(parsed.entries) };
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

/** realpath of a path that may not exist yet (a file about to be written): its existing part, resolved. */
function realpathOfLongestExisting(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realpathOfLongestExisting(parent), basename(path));
  }
}
