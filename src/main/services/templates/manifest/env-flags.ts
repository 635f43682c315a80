/**
 * The Docker-flag string Vast stores as a template's `env`, folded from template.yml exactly as
 * tools/template_manager/template_manager.py (load_templates_from_yaml +
 * build_env_string_from_lists) does it, and parsed back into ports and a map for editing.
 */
import { splitFlagWords } from '../../../../shared/flag-words';
import { pythonStr } from './python-str';

function escapeValue(value: string): string {
  return value.replace(/"/g, '\\"');
}

/**
 * `ports` and `env` of one entry (as loaded) → the `env` the API receives, or undefined when the
 * entry has neither (create.py then leaves `env` out). A string env passes through as is, with
 * `-p` flags in front when there are ports. List items without `=` are dropped, as create.py does.
 */
export function foldEnv(ports: unknown, env: unknown): unknown {
  const portList = Array.isArray(ports) ? ports : [];
  const portsTruthy =
    portList.length > 0 || (ports !== null && ports !== undefined && !Array.isArray(ports) && Boolean(ports));
  const envIsCollection =
    Array.isArray(env) || (env !== null && typeof env === 'object' && !(env instanceof Date));
  if (portsTruthy || envIsCollection) {
    if (typeof env === 'string' && portsTruthy) {
      const portFlags = portList.map((p) => `-p ${pythonStr(p)}`).join(' ');
      return env ? `${portFlags} ${env}` : portFlags;
    }
    const parts = portList.map((p) => `-p ${pythonStr(p)}`);
    if (Array.isArray(env)) {
      for (const item of env) {
        if (typeof item === 'string' && item.includes('=')) {
          const at = item.indexOf('=');
          parts.push(`-e ${item.slice(0, at)}="${escapeValue(item.slice(at + 1))}"`);
        }
      }
    } else if (envIsCollection && env !== null) {
      for (const [key, value] of Object.entries(env as Record<string, unknown>)) {
        parts.push(`-e ${key}="${escapeValue(pythonStr(value))}"`);
      }
    }
    return parts.join(' ');
  }
  return env ?? undefined;
}

export interface ParsedEnvFlags {
  ports: string[];
  env: Array<[string, string]>;
  /** Words that are neither `-p X` nor `-e K=V` (other docker flags such as `--shm-size`). */
  other: string[];
  /** False when the string ends inside a quote (read as if closed there). */
  complete: boolean;
}

/** Read a Docker-flag env string (as fetched from Vast or written by hand) back into data. */
export function parseEnvFlags(flags: string): ParsedEnvFlags {
  const { words, complete } = splitFlagWords(flags);
  const result: ParsedEnvFlags = { ports: [], env: [], other: [], complete };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    if ((word === '-p' || word === '--publish') && next !== undefined) {
      result.ports.push(next);
      i++;
    } else if ((word === '-e' || word === '--env') && next !== undefined) {
      const at = next.indexOf('=');
      result.env.push(at < 0 ? [next, ''] : [next.slice(0, at), next.slice(at + 1)]);
      i++;
    } else if (word.startsWith('-p') && word.length > 2) {
      result.ports.push(word.slice(2));
    } else if (word.startsWith('-e') && word.length > 2) {
      const kv = word.slice(2);
      const at = kv.indexOf('=');
      result.env.push(at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)]);
    } else {
      result.other.push(word);
    }
  }
  return result;
}
