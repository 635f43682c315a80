/**
 * A port of the parts of PyYAML 6's emitter that `yaml.dump(data, default_flow_style=False,
 * sort_keys=False)` uses for nested mappings of strings and integers, so that /etc/portal.yaml
 * comes out byte for byte as the base image's caddy manager writes it: the same choice between
 * plain, 'single' and "double" quoting, the same `? key` form for keys that cannot be simple
 * (empty, multi-line or 128+ characters), and the same folding of long values at 80 columns.
 * Python indexes strings by code point, so everything here works on arrays of code points.
 */

export type DumpValue = string | number | bigint | DumpMapping;
export type DumpMapping = ReadonlyArray<readonly [string, DumpValue]>;

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
const LINE_BREAKS = '\n\x85\u2028\u2029';
const WHITESPACE_OR_END = '\0 \t\r\n\x85\u2028\u2029';

// yaml.resolver.Resolver's implicit resolvers. Python's `$` also matches before one final "\n".
const IMPLICIT_RESOLVERS: RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

/** True when a plain scalar with this text would load back as a string (the str tag is implicit). */
function resolvesToString(value: string): boolean {
  const candidates = value.endsWith('\n') ? [value, value.slice(0, -1)] : [value];
  return !IMPLICIT_RESOLVERS.some((re) => candidates.some((c) => re.test(c)));
}

interface Analysis {
  scalar: string[];
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

function analyzeScalar(text: string): Analysis {
  const s = Array.from(text);
  if (s.length === 0) {
    return { scalar: s, empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (text.startsWith('---') || text.startsWith('...')) blockIndicators = true;
  let precededByWhitespace = true;
  let followedByWhitespace = s.length === 1 || WHITESPACE_OR_END.includes(s[1]!);
  let previousSpace = false;
  let previousBreak = false;
  for (let index = 0; index < s.length;) {
    const ch = s[index]!;
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (LINE_BREAKS.includes(ch)) lineBreaks = true;
    const cp = ch.codePointAt(0)!;
    // allow_unicode is False in yaml.dump, so every non-ASCII character forces double quotes.
    if (!(ch === '\n' || (cp >= 0x20 && cp <= 0x7e))) special = true;
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === s.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (LINE_BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === s.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    index += 1;
    precededByWhitespace = WHITESPACE_OR_END.includes(ch);
    followedByWhitespace = index + 1 >= s.length || WHITESPACE_OR_END.includes(s[index + 1]!);
  }
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowBlockPlain = false;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { scalar: s, empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\x09': 't',
  '\x0A': 'n',
  '\x0B': 'v',
  '\x0C': 'f',
  '\x0D': 'r',
  '\x1B': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xA0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

class Writer {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent: number | null = null;

  write(data: string): void {
    this.out += data;
    this.column += Array.from(data).length;
  }

  indicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    this.write(this.whitespace || !needWhitespace ? indicator : ' ' + indicator);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
  }

  writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
    }
  }

  lineBreak(data = '\n'): void {
    this.out += data;
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }

  plain(text: string[], split: boolean): void {
    if (text.length === 0) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !LINE_BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          this.whitespace = false;
          this.indention = false;
          start = end;
        }
      } else if (ch === null || (' ' + LINE_BREAKS).includes(ch)) {
        this.write(text.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.includes(ch);
      }
    }
  }

  private writeBreaks(text: string[], start: number, end: number): void {
    if (text[start] === '\n') this.lineBreak();
    for (const br of text.slice(start, end)) this.lineBreak(br === '\n' ? '\n' : br);
    this.writeIndent();
  }

  singleQuoted(text: string[], split: boolean): void {
    this.indicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > BEST_WIDTH && split && start !== 0 && end !== text.length) {
            this.writeIndent();
          } else {
            this.write(text.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !LINE_BREAKS.includes(ch)) {
          this.writeBreaks(text, start, end);
          start = end;
        }
      } else if (ch === null || (' ' + LINE_BREAKS).includes(ch) || ch === "'") {
        if (start < end) {
          this.write(text.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.includes(ch);
      }
    }
    this.indicator("'", false);
  }

  doubleQuoted(text: string[], split: boolean): void {
    this.indicator('"', true);
    let start = 0;
    for (let end = 0; end <= text.length; end++) {
      const ch = end < text.length ? text[end]! : null;
      const cp = ch === null ? 0 : ch.codePointAt(0)!;
      if (ch === null || '"\\\x85\u2028\u2029\uFEFF'.includes(ch) || !(cp >= 0x20 && cp <= 0x7e)) {
        if (start < end) {
          this.write(text.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          let data: string;
          if (ESCAPES[ch] !== undefined) data = '\\' + ESCAPES[ch];
          else if (cp <= 0xff) data = '\\x' + hex(cp, 2);
          else if (cp <= 0xffff) data = '\\u' + hex(cp, 4);
          else data = '\\U' + hex(cp, 8);
          this.write(data);
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < text.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.column + (end - start) > BEST_WIDTH &&
        split
      ) {
        const data = text.slice(start, end).join('') + '\\';
        if (start < end) start = end;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (text[start] === ' ') this.write('\\');
      }
    }
    this.indicator('"', false);
  }

  /** process_scalar for a str node (implicit tag when it resolves to str). */
  scalar(value: string, simpleKeyContext: boolean): void {
    const analysis = analyzeScalar(value);
    const implicitPlain = resolvesToString(value);
    const split = !simpleKeyContext;
    if (
      implicitPlain &&
      !(simpleKeyContext && (analysis.empty || analysis.multiline)) &&
      analysis.allowBlockPlain
    ) {
      this.plain(analysis.scalar, split);
    } else if (analysis.allowSingleQuoted && !(simpleKeyContext && analysis.multiline)) {
      this.singleQuoted(analysis.scalar, split);
    } else {
      this.doubleQuoted(analysis.scalar, split);
    }
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/**
 * check_simple_key for a str scalar: not empty, not multi-line, and shorter than 128 counting the
 * prepared tag `!!str` (5 characters) that PyYAML adds to the length even though it is implicit.
 */
function isSimpleKey(key: string): boolean {
  const a = analyzeScalar(key);
  return a.scalar.length + '!!str'.length < 128 && !a.empty && !a.multiline;
}

function emitMapping(w: Writer, mapping: DumpMapping, indents: Array<number | null>): void {
  // expect_block_mapping: increase_indent(flow=False).
  indents.push(w.indent);
  w.indent = w.indent === null ? 0 : w.indent + BEST_INDENT;
  for (const [key, value] of mapping) {
    w.writeIndent();
    if (isSimpleKey(key)) {
      emitScalarNode(w, key, true, indents);
      w.indicator(':', false);
    } else {
      w.indicator('?', true, false, true);
      emitScalarNode(w, key, false, indents);
      w.writeIndent();
      w.indicator(':', true, false, true);
    }
    emitNode(w, value, indents);
  }
  w.indent = indents.pop() ?? null;
}

function emitScalarNode(w: Writer, text: string, simpleKey: boolean, indents: Array<number | null>): void {
  // expect_scalar: increase_indent(flow=True) around process_scalar.
  indents.push(w.indent);
  w.indent = w.indent === null ? BEST_INDENT : w.indent + BEST_INDENT;
  w.scalar(text, simpleKey);
  w.indent = indents.pop() ?? null;
}

function emitNode(w: Writer, value: DumpValue, indents: Array<number | null>): void {
  if (typeof value === 'number' || typeof value === 'bigint') {
    // represent_int: str(data), always plain.
    emitPlainNumber(w, String(value), indents);
  } else if (typeof value === 'string') {
    emitScalarNode(w, value, false, indents);
  } else if (value.length === 0) {
    // An empty mapping is written in flow style even with default_flow_style=False.
    w.indicator('{', true, true);
    w.indicator('}', false);
  } else {
    emitMapping(w, value, indents);
  }
}

function emitPlainNumber(w: Writer, text: string, indents: Array<number | null>): void {
  indents.push(w.indent);
  w.indent = w.indent === null ? BEST_INDENT : w.indent + BEST_INDENT;
  w.plain(Array.from(text), true);
  w.indent = indents.pop() ?? null;
}

/** `yaml.dump(mapping, default_flow_style=False, sort_keys=False)` for a mapping at the root. */
export function pyyamlDump(root: DumpMapping): string {
  const w = new Writer();
  if (root.length === 0) return '{}\n';
  emitMapping(w, root, []);
  // expect_document_end: write_indent at indent 0 ends the last line.
  w.indent = null;
  w.writeIndent();
  return w.out;
}
