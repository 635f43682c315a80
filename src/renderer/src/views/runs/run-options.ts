import type { z } from 'zod';
import { RunLimits, RunStartInput } from '../../../../shared/contract/runs';
import { splitFlagWords } from '../../../../shared/flag-words';

/** The "More options" of the run form, exactly as typed (kept as text so an error never loses it). */
export interface RunOptionsText {
  cpus: string;
  memoryGb: string;
  shmGb: string;
  diskGb: string;
  /** One NAME=value a line; blank lines and `#` lines are ignored. */
  env: string;
  /** Comma or space separated: `8000, 9000/udp, 70000`. */
  ports: string;
  /** Split like a shell would; used in args mode only. */
  args: string;
  template: string;
}

export type RunOptionsField = keyof RunOptionsText;
export type RunOptionsErrors = Partial<Record<RunOptionsField, string>>;

type StartInput = z.input<typeof RunStartInput>;
/** The part of a runs:start input the options fill in; a key is absent when its field is empty. */
export type RunOptionsInput = Pick<StartInput, 'args' | 'env' | 'ports' | 'limits' | 'template'>;

export type RunOptionsResult = { ok: true; input: RunOptionsInput } | { ok: false; errors: RunOptionsErrors };

export const EMPTY_RUN_OPTIONS: RunOptionsText = {
  cpus: '',
  memoryGb: '',
  shmGb: '',
  diskGb: '',
  env: '',
  ports: '',
  args: '',
  template: '',
};

/** GB as docker's `--memory 1g` reads it: 1024³ bytes. */
export const BYTES_PER_GB = 1024 ** 3;

export type LimitField = 'cpus' | 'memoryGb' | 'shmGb' | 'diskGb';

export interface LimitBounds {
  /** The smallest value accepted (the contract only asks for more than 0; see below). */
  min: number;
  /** The contract's maximum, in the field's unit; null when it sets none. */
  max: number | null;
  step: number;
}

const contractMax = (schema: { unwrap(): { maxValue: number | null } }): number | null =>
  schema.unwrap().maxValue;

/**
 * The bounds shown in the inputs and checked before sending. Maxima come from RunLimits itself, so
 * the form follows the contract. The contract's minimum is "more than 0"; the engine refuses less
 * than 0.01 CPU (and less than 6 MB of memory), so 0.01 is the smallest value the form offers.
 */
export const LIMIT_BOUNDS: Record<LimitField, LimitBounds> = {
  cpus: { min: 0.01, max: contractMax(RunLimits.shape.cpus), step: 0.01 },
  memoryGb: { min: 0.01, max: null, step: 0.01 },
  shmGb: { min: 0.01, max: null, step: 0.01 },
  diskGb: { min: 0.01, max: contractMax(RunLimits.shape.diskGb), step: 0.01 },
};

const envSchema = RunStartInput.shape.env.unwrap();
const portsSchema = RunStartInput.shape.ports.unwrap();
const argsSchema = RunStartInput.shape.args.unwrap();
const templateSchema = RunStartInput.shape.template.unwrap();

const MAX_ARG_CHARS = argsSchema.element.maxLength ?? 10_000;
const MAX_TEMPLATE_CHARS = templateSchema.maxLength ?? 200;
// Vast's identity ports (70000 and above) are published on the same host port number: see port-plan.ts.
const IDENTITY_PORT_FLOOR = 70_000;
const IDENTITY_PORT_CEILING = 99_999;

/** The contract's maximum count when a list is too long for it (zod keeps it on the issue, not the schema). */
function tooMany(schema: typeof portsSchema | typeof argsSchema, list: string[]): number | null {
  const issue = schema.safeParse(list).error?.issues.find((i) => i.code === 'too_big' && i.path.length === 0);
  return issue && 'maximum' in issue ? Number(issue.maximum) : null;
}

/** A number field: null when empty, a message when it is not a number within its bounds. */
function parseLimit(text: string, bounds: LimitBounds, what: string): number | null | { error: string } {
  const t = text.trim();
  if (!t) return null;
  // Number('') and Number('0x10') would both be accepted; only plain decimals are.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { error: `${what} must be a number.` };
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: `${what} must be a number.` };
  if (n < bounds.min || (bounds.max !== null && n > bounds.max)) {
    return {
      error:
        bounds.max === null
          ? `${what} must be at least ${bounds.min}.`
          : `${what} must be between ${bounds.min} and ${bounds.max}.`,
    };
  }
  return n;
}

function gbToBytes(gb: number, what: string): number | { error: string } {
  const bytes = Math.round(gb * BYTES_PER_GB);
  return Number.isSafeInteger(bytes) ? bytes : { error: `${what} is too large.` };
}

/** `NAME=value` lines into a record; the first bad line is named in the error. */
export function parseEnvLines(text: string): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  const lineOf: Record<string, number> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const n = i + 1;
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) return { error: `Line ${n} ("${clip(trimmed)}") has no "=": write NAME=value.` };
    const name = line.slice(0, eq).trim();
    if (!envSchema.keyType.safeParse(name).success) {
      return {
        error: `Line ${n}: "${clip(name)}" is not a variable name (letters, digits and _, not starting with a digit).`,
      };
    }
    const value = line.slice(eq + 1);
    if (!envSchema.valueType.safeParse(value).success)
      return { error: `Line ${n}: the value of ${name} is too long.` };
    if (lineOf[name] !== undefined)
      return { error: `Line ${n}: ${name} is already set on line ${lineOf[name]}.` };
    lineOf[name] = n;
    env[name] = value;
  }
  return { env };
}

/** `8000, 9000/udp 70000` into `['8000', '9000/udp', '70000']`, each checked as the engine side will. */
export function parsePortList(text: string): { ports: string[] } | { error: string } {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const max = tooMany(portsSchema, words);
  if (max !== null) return { error: `At most ${max} extra ports.` };
  for (const w of words) {
    const m = /^(\d{1,6})(?:\/(tcp|udp))?$/i.exec(w);
    if (!m) return { error: `"${clip(w)}" is not a port: write 8000, 9000/udp or 70000.` };
    const port = Number(m[1]);
    if (port < 1 || (port > 65_535 && port < IDENTITY_PORT_FLOOR) || port > IDENTITY_PORT_CEILING) {
      return { error: `Port ${port} is out of range: use 1-65535, or 70000-99999 for an identity port.` };
    }
  }
  return { ports: words.map((w) => w.toLowerCase()) };
}

/** The args, split like a shell would (quotes and backslashes); refused when a quote is left open. */
export function parseArgs(text: string): { args: string[] } | { error: string } {
  const { words, complete } = splitFlagWords(text);
  if (!complete) return { error: 'The arguments end inside a quote or after a backslash: close it.' };
  const max = tooMany(argsSchema, words);
  if (max !== null) return { error: `At most ${max} arguments.` };
  if (words.some((w) => w.length > MAX_ARG_CHARS))
    return { error: `An argument is longer than ${MAX_ARG_CHARS} characters.` };
  return { args: words };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const LIMIT_NAMES: Record<LimitField, string> = {
  cpus: 'CPUs',
  memoryGb: 'Memory',
  shmGb: 'Shared memory',
  diskGb: 'Disk',
};

/**
 * Checks the More options and turns them into the contract's units (GB → bytes). Empty fields are
 * left out, so the engine's and the template's defaults apply. Args count in args mode only.
 * `unreadable` names number fields whose text the browser could not read: an <input type=number>
 * then reports '' (as if empty), so without it `1..5` would silently mean "not set".
 */
export function parseRunOptions(
  text: RunOptionsText,
  mode: StartInput['mode'],
  unreadable: ReadonlySet<LimitField> = new Set(),
): RunOptionsResult {
  const errors: RunOptionsErrors = {};
  const input: RunOptionsInput = {};
  const limits: NonNullable<RunOptionsInput['limits']> = {};

  const cpus = parseLimit(text.cpus, LIMIT_BOUNDS.cpus, LIMIT_NAMES.cpus);
  if (typeof cpus === 'object' && cpus) errors.cpus = cpus.error;
  else if (cpus !== null) limits.cpus = cpus;

  for (const [field, key] of [
    ['memoryGb', 'memoryBytes'],
    ['shmGb', 'shmBytes'],
  ] as const) {
    const what = LIMIT_NAMES[field];
    const gb = parseLimit(text[field], LIMIT_BOUNDS[field], what);
    if (typeof gb === 'object' && gb) errors[field] = gb.error;
    else if (gb !== null) {
      const bytes = gbToBytes(gb, what);
      if (typeof bytes === 'object') errors[field] = bytes.error;
      else limits[key] = bytes;
    }
  }

  const disk = parseLimit(text.diskGb, LIMIT_BOUNDS.diskGb, LIMIT_NAMES.diskGb);
  if (typeof disk === 'object' && disk) errors.diskGb = disk.error;
  else if (disk !== null) limits.diskGb = disk;

  if (Object.keys(limits).length > 0) input.limits = limits;

  const env = parseEnvLines(text.env);
  if ('error' in env) errors.env = env.error;
  else if (Object.keys(env.env).length > 0) input.env = env.env;

  const ports = parsePortList(text.ports);
  if ('error' in ports) errors.ports = ports.error;
  else if (ports.ports.length > 0) input.ports = ports.ports;

  if (mode === 'args' && text.args.trim()) {
    const args = parseArgs(text.args);
    if ('error' in args) errors.args = args.error;
    else if (args.args.length > 0) input.args = args.args;
  }

  for (const field of unreadable) errors[field] = `${LIMIT_NAMES[field]} must be a number.`;

  const template = text.template.trim();
  if (template.length > MAX_TEMPLATE_CHARS) errors.template = `At most ${MAX_TEMPLATE_CHARS} characters.`;
  else if (template.includes('/')) errors.template = 'Only the name under templates/, without a slash.';
  else if (template) input.template = template;

  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

/** How many option fields hold something (args only in args mode), for the closed toggle's label. */
export function countSetOptions(text: RunOptionsText, mode: StartInput['mode']): number {
  return (Object.keys(text) as RunOptionsField[]).filter(
    (k) => text[k].trim() !== '' && (k !== 'args' || mode === 'args'),
  ).length;
}
