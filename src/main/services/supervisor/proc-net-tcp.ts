/**
 * Listening TCP ports from /proc/net/tcp and /proc/net/tcp6 (state 0A). Works in any Linux image,
 * unlike `ss` or `netstat`, which a slim image may not have.
 */
export interface ListeningSocket {
  address: string;
  port: number;
}

export function parseProcNetTcp(text: string): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== '0A') continue;
    const local = fields[1] ?? '';
    const colon = local.lastIndexOf(':');
    if (colon <= 0) continue;
    const port = Number.parseInt(local.slice(colon + 1), 16);
    if (!Number.isInteger(port)) continue;
    sockets.push({ address: decodeAddress(local.slice(0, colon)), port });
  }
  return sockets;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    // Little-endian IPv4.
    const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
    return bytes.join('.');
  }
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  return hex;
}
