/**
 * Python's `int(str)` for base 10, because the base image's caddy manager turns PORTAL_CONFIG ports
 * into numbers with it: surrounding whitespace is allowed (`int(' 8')` is 8), a sign is allowed,
 * single underscores may separate digits (`int('1_000')`), leading zeros are fine (`int('08')`),
 * and any Unicode decimal digit counts. Everything else (including `''`) is a ValueError.
 */

// What int() strips: Python's Unicode whitespace minus the ASCII separators \x1c-\x1f, which int() rejects.
const PY_WHITESPACE = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, 'gu');
const DECIMAL = /^[+-]?\p{Nd}+(?:_\p{Nd}+)*$/u;
const ND = /\p{Nd}/u;

/** The value of one Unicode decimal digit: Nd digits come in contiguous runs of ten, 0 first. */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  let start = cp;
  while (ND.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** Returns the integer Python would produce, or null where Python raises ValueError. */
export function pythonInt(text: string): bigint | null {
  const stripped = text.replace(STRIP, '');
  if (!DECIMAL.test(stripped)) return null;
  let sign = 1n;
  let digits = stripped;
  if (digits.startsWith('-') || digits.startsWith('+')) {
    if (digits.startsWith('-')) sign = -1n;
    digits = digits.slice(1);
  }
  let value = 0n;
  for (const ch of digits) {
    if (ch === '_') continue;
    value = value * 10n + BigInt(digitValue(ch));
  }
  return sign * value;
}
