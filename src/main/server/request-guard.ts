import type { IncomingMessage } from 'node:http';
import { tokenMatches } from './token';

export const TOKEN_COOKIE = 'tstudio_token';

export type Refusal = { status: 401 | 403; reason: string };

/**
 * The browser shell's door. A request passes only if its Host header names this server (defeating
 * DNS rebinding: a page on evil.example that re-resolves to 127.0.0.1 still sends Host: evil.example),
 * it carries the token (query or cookie), and, for a WebSocket, its Origin is this server's own.
 */
export class RequestGuard {
  private readonly allowedHosts: Set<string>;

  constructor(
    private readonly token: string,
    host: string,
    port: number,
  ) {
    const names = new Set([host, '127.0.0.1', 'localhost']);
    if (host === '::1') names.add('[::1]');
    this.allowedHosts = new Set(
      [...names].map((n) => `${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}:${port}`),
    );
  }

  checkHost(req: IncomingMessage): Refusal | null {
    const host = (req.headers.host ?? '').toLowerCase();
    return this.allowedHosts.has(host)
      ? null
      : { status: 403, reason: 'Host header does not name this server' };
  }

  checkToken(req: IncomingMessage): Refusal | null {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const fromQuery = url.searchParams.get('token');
    const fromCookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
    const fromHeader = bearer(req.headers.authorization);
    if (
      tokenMatches(this.token, fromQuery) ||
      tokenMatches(this.token, fromCookie) ||
      tokenMatches(this.token, fromHeader)
    ) {
      return null;
    }
    return { status: 401, reason: 'missing or wrong token' };
  }

  checkOrigin(req: IncomingMessage): Refusal | null {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') return { status: 403, reason: 'no Origin header' };
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return { status: 403, reason: 'unreadable Origin' };
    }
    return parsed.protocol === 'http:' && this.allowedHosts.has(parsed.host.toLowerCase())
      ? null
      : { status: 403, reason: 'foreign Origin' };
  }

  /** Host, then token; for WebSockets also Origin. */
  check(req: IncomingMessage, websocket: boolean): Refusal | null {
    return this.checkHost(req) ?? this.checkToken(req) ?? (websocket ? this.checkOrigin(req) : null);
  }
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeCookieValue(part.slice(eq + 1).trim());
  }
  return null;
}

/** A malformed escape (`%`, `%E0%A4%A`) in a cookie sent by anyone must not throw: it is just not the token. */
function decodeCookieValue(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return m?.[1] ?? null;
}
