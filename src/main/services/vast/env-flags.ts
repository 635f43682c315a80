import { AppError } from '../../../shared/errors';
import { splitFlagWords } from '../../../shared/flag-words';

/**
 * Vast carries env vars and port requests in one bag. The create call takes a JSON object where a
 * port is a key (`"-p 8080:8080": "1"`); templates store the same thing as a Docker-flag string
 * (`-p 8080:8080 -e K="V"`; folded by the templates service's `foldEnv`). These helpers convert
 * between the shapes the way the CLI does.
 */

const PORT_SPEC = /^\d{1,5}(:\d{1,5})?(\/(tcp|udp))?$/;

/** "8080" | "8080:8080" | "8082/udp" | "8082:8082/udp" -> "8082:8082/udp" (Vast wants both sides). */
export function normalizePortSpec(spec: string): string {
  const s = spec.trim();
  if (!PORT_SPEC.test(s)) {
    throw new AppError(
      'TEMPLATE_INVALID',
      `Port "${spec}" is not a Vast port spec: use 8080, 8080:8080 or 8082:8082/udp.`,
    );
  }
  const [pair, proto] = s.split('/');
  const [a, b] = (pair ?? '').split(':');
  return `${a}:${b ?? a}${proto ? `/${proto}` : ''}`;
}

/** The env object PUT /asks/{id}/ takes: vars as they are, ports folded in as `"-p A:B": "1"`. */
export function launchEnvObject(
  env: Record<string, string>,
  ports: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of ports) out[`-p ${normalizePortSpec(p)}`] = '1';
  for (const [k, v] of Object.entries(env)) out[k] = v;
  return out;
}

/**
 * A Docker-flag string (`-e K=V -p 8000:8000 -h name`) -> the CLI's env object, so an env given
 * as a string (what create_instance.yaml documents) means the same as the object the CLI sends.
 */
export function parseEnvFlagString(flags: string): Record<string, string> {
  const tokens = splitFlagWords(flags).words;
  const out: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const next = tokens[i + 1];
    if ((t === '-e' || t === '--env') && next !== undefined) {
      const eq = next.indexOf('=');
      if (eq > 0) out[next.slice(0, eq)] = next.slice(eq + 1);
      i++;
    } else if ((t === '-p' || t === '-v' || t === '-n') && next !== undefined) {
      out[`${t} ${next}`] = '1';
      i++;
    } else if (t === '-h' && next !== undefined) {
      out['-h'] = next;
      i++;
    }
  }
  return out;
}

export interface PortRequest {
  /** The port inside the container. */
  internal: number;
  protocol: 'tcp' | 'udp';
}

/** The env object -> plain env vars and the ports it asks for (`-p A:B` keys). */
export function splitEnvObject(env: Record<string, string>): {
  vars: Record<string, string>;
  ports: PortRequest[];
} {
  const vars: Record<string, string> = {};
  const ports: PortRequest[] = [];
  for (const [k, v] of Object.entries(env)) {
    const m = /^-p\s+(\d+)(?::(\d+))?(?:\/(tcp|udp))?$/.exec(k.trim());
    if (m) {
      ports.push({ internal: Number(m[2] ?? m[1]), protocol: (m[3] as 'tcp' | 'udp' | undefined) ?? 'tcp' });
    } else if (!k.startsWith('-')) {
      vars[k] = v;
    }
  }
  return { vars, ports };
}
