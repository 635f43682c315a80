/** Rules for the ROOT/ overlay: supervisor confs and launch scripts, shipped shell scripts. */
import { positionOf, type ImageContext } from './context';

const CONF_DIR = 'ROOT/etc/supervisor/conf.d';
const SCRIPT_DIR = 'ROOT/opt/supervisor-scripts';
const CANONICAL_UTILS = ['logging', 'cleanup_generic', 'environment', 'exit_serverless', 'exit_portal'];

interface IniSection {
  name: string;
  line: number;
  keys: Map<string, { value: string; line: number }>;
}

/** Supervisor's INI dialect: `key=value` or `key: value`, `;`/`#` comments, indented continuation lines. */
export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | null = null;
  let lastKey: string | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*[;#]/.test(line) || line.trim() === '') continue;
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      current = { name: header[1]!.trim(), line: i + 1, keys: new Map() };
      sections.push(current);
      lastKey = null;
      continue;
    }
    if (!current) continue;
    if (/^\s/.test(line) && lastKey) {
      const entry = current.keys.get(lastKey)!;
      entry.value += `\n${line.trim()}`;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv) {
      lastKey = kv[1]!.trim().toLowerCase();
      current.keys.set(lastKey, { value: kv[2]!.replace(/\s+;.*$/, ''), line: i + 1 });
    }
  }
  return sections;
}

export function checkSupervisorConfs(ctx: ImageContext): void {
  for (const conf of ctx.list(CONF_DIR, '.conf')) {
    const text = ctx.read(conf) ?? '';
    const file = ctx.rel(conf);
    const stem = conf.slice(conf.lastIndexOf('/') + 1, -'.conf'.length);
    const programs = parseIni(text).filter((s) => s.name.startsWith('program:'));
    const names = programs.map((p) => p.name.slice('program:'.length));
    if (!names.includes(stem)) {
      ctx.report(
        'L010',
        file,
        programs[0]?.line ?? 1,
        1,
        `No [program:${stem}] matching the file name (programs: ${names.join(', ') || 'none'}).`,
      );
    }
    for (const program of programs) {
      const name = program.name.slice('program:'.length);
      const env = program.keys.get('environment');
      if (!env || !env.value.includes('PROC_NAME')) {
        ctx.report(
          'L010',
          file,
          env?.line ?? program.line,
          1,
          `[program:${name}] does not set PROC_NAME in environment (the utilities name logs and skip markers after it): add environment=PROC_NAME="%(program_name)s".`,
        );
      }
      const command = program.keys.get('command');
      const m = /^\/opt\/supervisor-scripts\/(\S+)\.sh/.exec(command?.value.trim() ?? '');
      if (!m) {
        ctx.report(
          'L010',
          file,
          command?.line ?? program.line,
          1,
          `[program:${name}] command must be /opt/supervisor-scripts/${name}.sh.`,
        );
      } else if (m[1] !== name) {
        ctx.report(
          'L010',
          file,
          command!.line,
          1,
          `[program:${name}] runs ${m[1]}.sh; the script must be named after the program (${name}.sh).`,
        );
      } else if (!ctx.exists(`${SCRIPT_DIR}/${name}.sh`)) {
        ctx.report(
          'L010',
          file,
          command!.line,
          1,
          `${name}.sh is not in this image's ROOT/opt/supervisor-scripts (fine only if the base image ships it).`,
          'warning',
        );
      }
    }
  }
}

export function checkUtilOrder(ctx: ImageContext): void {
  for (const script of ctx.list(SCRIPT_DIR, '.sh')) {
    const text = ctx.read(script) ?? '';
    const seq: Array<{ name: string; line: number }> = [];
    for (const [i, line] of text.split('\n').entries()) {
      if (!/^\s*(\.|source)\s/.test(line)) continue;
      for (const name of CANONICAL_UTILS) {
        if (new RegExp(`(?:^|[/"'\\s])${name}\\.sh\\b`).test(line)) seq.push({ name, line: i + 1 });
      }
    }
    for (let k = 1; k < seq.length; k++) {
      if (CANONICAL_UTILS.indexOf(seq[k]!.name) < CANONICAL_UTILS.indexOf(seq[k - 1]!.name)) {
        ctx.report(
          'L011',
          ctx.rel(script),
          seq[k]!.line,
          1,
          `${seq[k]!.name}.sh is sourced after ${seq[k - 1]!.name}.sh; the order is ${CANONICAL_UTILS.join(' → ')}.`,
        );
        break;
      }
    }
  }
}

export function checkScriptsExecutable(ctx: ImageContext): void {
  if (ctx.cls === 'base') return;
  for (const script of ctx.list(SCRIPT_DIR, '.sh')) {
    if (!ctx.isExecutable(script)) {
      ctx.report(
        'L051',
        ctx.rel(script),
        1,
        1,
        'This launch script is not executable (chmod +x): supervisor runs it directly and would fail to spawn it.',
      );
    }
  }
}

export function checkWaitsForProvisioning(ctx: ImageContext): void {
  for (const script of ctx.list(SCRIPT_DIR, '.sh')) {
    const text = ctx.read(script) ?? '';
    const code = text
      .split('\n')
      .filter((l) => !/^\s*#/.test(l))
      .join('\n');
    if (!/\/\.provisioning\b/.test(code)) {
      ctx.report(
        'TS102',
        ctx.rel(script),
        1,
        1,
        'This script starts its app without waiting for /.provisioning to disappear; models or packages may still be arriving. Add `while [ -f "/.provisioning" ]; do sleep 5; done`.',
      );
    }
  }
}

const PORT_VAR = /\$\{?(VAST_(?:TCP|UDP)_PORT_\d+)(\}|(:?[-=?+])[^}]*\}|\b)/g;
const LISTEN_CONTEXT =
  /0\.0\.0\.0|127\.0\.0\.1|\[::\]|tcp:\/\/|udp:\/\/|--port|--listen|listen|bind|--host|-p\s|:\$\{?VAST_/i;

export function checkUnguardedPortVars(ctx: ImageContext): void {
  const scripts = ctx.walk('ROOT').filter((f) => f.endsWith('.sh'));
  for (const script of scripts) {
    const text = ctx.read(script) ?? '';
    for (const [i, line] of text.split('\n').entries()) {
      if (/^\s*#/.test(line)) continue;
      for (const m of line.matchAll(PORT_VAR)) {
        const name = m[1]!;
        const hasDefault = m[3] !== undefined;
        if (hasDefault || !LISTEN_CONTEXT.test(line)) continue;
        const guarded = new RegExp(
          `-n\\s+"?\\$\\{?${name}\\}?|-z\\s+"?\\$\\{?${name}\\}?|${name}:-|${name}:=`,
        ).test(text);
        if (guarded) continue;
        const pos = positionOf(line, m.index ?? 0);
        ctx.report(
          'L068',
          ctx.rel(script),
          i + 1,
          pos.column,
          `$${name} is used in a listen address without a guard; it is unset off Vast and when the port is not mapped. Use \${${name}:-<port>} or check [[ -n \${${name}} ]] first.`,
        );
      }
    }
  }
}
