/**
 * A Dockerfile read through dockerfile-ast (continuations, comments, heredocs, parser directives),
 * reduced to what the rules need: each instruction with its 1-based position and the shell code it
 * really runs. Comment lines inside a continued RUN are dropped (Docker drops them too), and a
 * heredoc counts as code only when it is the script itself (`RUN <<EOF`), not data
 * (`RUN cat > f <<EOF`), so a keyword inside a comment or a data file cannot satisfy or break a rule.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface DockerInstruction {
  keyword: string;
  /** 1-based line and column of the keyword. */
  line: number;
  column: number;
  /** Arguments as written, continuations joined, comment lines removed. */
  args: string;
  /** For RUN: the executed shell code (args plus a heredoc that is the script). */
  code: string;
  /** Flags such as --from=builder (COPY) or --platform (FROM). */
  flags: string[];
  raw: Instruction;
}

export interface FromStage {
  /** The image reference as written. */
  ref: string;
  /** With global ARG defaults substituted. */
  resolved: string;
  alias: string | null;
  line: number;
  column: number;
}

export interface ParsedDockerfile {
  instructions: DockerInstruction[];
  stages: FromStage[];
  /** Global ARGs (before the first FROM) and their defaults (null when none). */
  argDefaults: Map<string, string | null>;
}

function logicalArgs(raw: string, escape: string): string {
  const lines = raw.split('\n');
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (i > 0 && /^\s*#/.test(line)) continue;
    out.push(line.endsWith(escape) ? line.slice(0, -1) : line);
  }
  return out.join(' ').replace(/\s+/g, ' ').trim();
}

/** Body text of each heredoc, from the parser's ranges. */
function heredocBodies(text: string, ins: Instruction): Array<{ name: string; body: string }> {
  const getter = (
    ins as unknown as {
      getHeredocs?: () => Array<{
        getName(): string;
        getContentRange(): { start: { line: number }; end: { line: number } } | null;
      }>;
    }
  ).getHeredocs;
  if (!getter) return [];
  const lines = text.split('\n');
  return getter.call(ins).map((h) => {
    const range = h.getContentRange();
    const body = range ? lines.slice(range.start.line, range.end.line + 1).join('\n') : '';
    return { name: h.getName(), body };
  });
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const df = DockerfileParser.parse(text);
  const escape = df.getEscapeCharacter();
  const instructions: DockerInstruction[] = [];
  for (const ins of df.getInstructions()) {
    const keyword = ins.getKeyword().toUpperCase();
    const start = ins.getInstructionRange().start;
    const rawArgs = ins.getRawArgumentsContent() ?? '';
    const bodies = heredocBodies(text, ins);
    // The first line of the arguments holds the command; heredoc bodies follow it.
    const firstLine = bodies.length > 0 ? rawArgs.split('\n')[0]! : rawArgs;
    const args = logicalArgs(firstLine, escape);
    let code = args;
    if (keyword === 'RUN' && bodies.length > 0) {
      const withoutFlags = args.replace(/^(--\S+\s+)*/, '');
      // `RUN <<EOF` or `RUN <<EOF bash` runs the body; `RUN cat > f <<EOF` only writes data.
      if (/^<<-?["']?\w+["']?(\s+(ba)?sh\b.*)?$/.test(withoutFlags)) code = `${args}\n${bodies[0]!.body}`;
    }
    // dockerfile-ast leaves flags out of the arguments of COPY, FROM, RUN… and returns them apart.
    const flagObjects =
      (
        ins as unknown as { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> }
      ).getFlags?.() ?? [];
    const flags = flagObjects.map((f) =>
      f.getValue() === null ? `--${f.getName()}` : `--${f.getName()}=${f.getValue()}`,
    );
    if (keyword === 'RUN') code = stripShellComments(code);
    instructions.push({
      keyword,
      line: start.line + 1,
      column: start.character + 1,
      args,
      code,
      flags,
      raw: ins,
    });
  }
  const argDefaults = new Map<string, string | null>();
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') break;
    if (ins.keyword !== 'ARG') continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(ins.args);
    if (m) argDefaults.set(m[1]!, m[2] === undefined ? null : unquote(m[2]));
  }
  const stages: FromStage[] = [];
  for (const ins of instructions) {
    if (ins.keyword !== 'FROM') continue;
    const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    const ref = words[0] ?? '';
    const alias = words[1]?.toUpperCase() === 'AS' ? (words[2] ?? null) : null;
    stages.push({ ref, resolved: substitute(ref, argDefaults), alias, line: ins.line, column: ins.column });
  }
  return { instructions, stages, argDefaults };
}

/** Drop `# comment` tails outside quotes, so a commented-out command does not count as code. */
export function stripShellComments(code: string): string {
  return code
    .split('\n')
    .map((line) => {
      let quote: string | null = null;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i]!;
        if (quote) {
          if (ch === quote) quote = null;
          else if (ch === '\\' && quote === '"') i++;
        } else if (ch === "'" || ch === '"') quote = ch;
        else if (ch === '\\') i++;
        else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i).trimEnd();
      }
      return line;
    })
    .join('\n');
}

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** ${X}, $X, ${X:-default}, ${X-default} with global ARG defaults (an ARG without one is empty). */
export function substitute(text: string, defaults: Map<string, string | null>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_m, braced, fallback, bare) => {
      const name = (braced ?? bare) as string;
      const value = defaults.get(name);
      if (value !== undefined && value !== null && value !== '') return value;
      return (fallback as string | undefined) ?? '';
    },
  );
}

export interface ImageRef {
  registry: string | null;
  repository: string;
  tag: string | null;
  digest: string | null;
}

/** Split a reference the way docker does: a first component with a dot, colon or `localhost` is a registry. */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | null = null;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && !rest.slice(colon).includes('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { registry, repository: rest, tag, digest };
}

const DOCKER_HUB = new Set([null, 'docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** True when a resolved reference is this Docker Hub repository (structurally, not a substring). */
export function isHubRepo(ref: string, repository: string): boolean {
  const parsed = parseImageRef(ref);
  return DOCKER_HUB.has(parsed.registry) && parsed.repository === repository;
}
