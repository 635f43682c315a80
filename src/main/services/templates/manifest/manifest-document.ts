/**
 * template.yml as an editable document: the yaml package's Document API keeps comments, key order
 * and anything valid we do not model. Parsed as YAML 1.1 (what PyYAML's safe_load reads) with
 * integers as bigint so `1` and `1.0` stay apart the way Python sees them.
 */
import { Document, isMap, isSeq, LineCounter, parseDocument, YAMLParseError, type Node } from 'yaml';
import { foldEnv } from './env-flags';
import { validateFoldedEntry, type FieldIssue } from './model';

export const YAML_OPTIONS = { version: '1.1', intAsBigInt: true, prettyErrors: false } as const;

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface ManifestProblem extends Position {
  message: string;
  /** Index of the entry (0 for a single mapping), or null for a file-level problem. */
  entry: number | null;
  path: string[];
  unknownKey: boolean;
}

export class ManifestDocument {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  private constructor(readonly text: string) {
    this.doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: this.lines });
    // Some documents parse without errors yet cannot become values: an alias to no anchor (`*x`) or
    // an alias bomb throw a ReferenceError from toJS. Found by fuzzing; recorded as a YAML error so
    // every reader that checks doc.errors first (lint, the editor, save) refuses the file calmly.
    if (this.doc.errors.length === 0) {
      try {
        this.doc.toJS();
      } catch (err) {
        const code = /alias count/i.test((err as Error).message) ? 'RESOURCE_EXHAUSTION' : 'BAD_ALIAS';
        this.doc.errors.push(new YAMLParseError([0, Math.min(1, text.length)], code, (err as Error).message));
      }
    }
  }

  static parse(text: string): ManifestDocument {
    return new ManifestDocument(text);
  }

  /** True when the file holds a list of entries rather than one mapping. */
  get isList(): boolean {
    return isSeq(this.doc.contents);
  }

  /** The YAML paths of each entry: [] for a single mapping, [i] for a list. */
  entryPaths(): number[][] {
    const contents = this.doc.contents;
    if (isSeq(contents)) return contents.items.map((_, i) => [i]);
    return [[]];
  }

  entryCount(): number {
    return this.entryPaths().length;
  }

  /** Plain JS value of one entry (ints as bigint), or undefined. */
  entryValue(index: number): unknown {
    const path = this.entryPaths()[index];
    if (!path) return undefined;
    const node = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    return node && typeof node === 'object' && 'toJSON' in node ? (node as Node).toJS(this.doc) : node;
  }

  /** Where a key path starts (the key when there is one, else the value), 1-based. */
  position(entry: number | null, path: readonly (string | number)[]): Position {
    const base = entry === null ? [] : (this.entryPaths()[entry] ?? []);
    let node: unknown = base.length === 0 ? this.doc.contents : this.doc.getIn(base, true);
    let offset = rangeStart(node) ?? 0;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => keyString(p.key) === String(key));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        offset = rangeStart(node) ?? offset;
      } else break;
    }
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Every problem pydantic or YAML would raise, positioned for an editor. */
  problems(): ManifestProblem[] {
    const problems: ManifestProblem[] = [];
    for (const err of this.doc.errors) {
      const [line, column] = err.linePos?.[0] ? [err.linePos[0].line, err.linePos[0].col] : [1, 1];
      problems.push({
        line,
        column,
        entry: null,
        path: [],
        unknownKey: false,
        message: `YAML error: ${err.message.split('\n')[0]}`,
      });
    }
    if (this.doc.errors.length > 0) return problems;
    const contents = this.doc.contents;
    if (contents === null || (contents as { value?: unknown }).value === null) {
      problems.push({
        line: 1,
        column: 1,
        entry: null,
        path: [],
        unknownKey: false,
        message: 'The file is empty: Vast requires at least a name.',
      });
      return problems;
    }
    for (const [index] of this.entryPaths().entries()) {
      const value = this.entryValue(index);
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
        problems.push({
          ...this.position(index, []),
          entry: index,
          path: [],
          unknownKey: false,
          message: `Entry ${index + 1} is not a mapping.`,
        });
        continue;
      }
      for (const issue of validateEntryValue(value as Record<string, unknown>)) {
        problems.push({
          ...this.position(index, issue.path),
          entry: index,
          path: issue.path,
          unknownKey: issue.unknownKey,
          message: issue.message,
        });
      }
    }
    return problems;
  }

  /**
   * The file's text: the original bytes when nothing was edited, else the yaml package's rendering
   * (comments and key order kept; spacing before a trailing comment becomes one space).
   */
  toString(): string {
    if (!this.edited) return this.text;
    return this.doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  }

  /** Mark the document as changed so toString renders it instead of returning the original. */
  markEdited(): void {
    this.edited = true;
  }

  private edited = false;
}

/** Fold ports+env as create.py does, then check the result as pydantic would. */
export function validateEntryValue(entry: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { ports, env, ...rest } = entry;
  if (ports !== undefined && ports !== null && !Array.isArray(ports)) {
    issues.push({
      path: ['ports'],
      unknownKey: false,
      message: '"ports" must be a list such as ["8080:8080"].',
    });
  }
  if (Array.isArray(env) && env.some((item) => typeof item !== 'string')) {
    issues.push({
      path: ['env'],
      unknownKey: false,
      message: '"env" as a list must hold "KEY=value" strings only.',
    });
    return issues;
  }
  const folded = foldEnv(ports, env);
  const forModel: Record<string, unknown> = { ...rest };
  if (folded !== undefined) forModel.env = folded;
  issues.push(...validateFoldedEntry(forModel));
  return issues;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : undefined;
}

function keyString(key: unknown): string {
  if (key && typeof key === 'object' && 'value' in key) return String((key as { value: unknown }).value);
  return String(key);
}
