/**
 * Python's `str()` of a value PyYAML's safe_load produced, because create.py folds env values with
 * `str(value)`: `true` becomes `True`, `~` becomes `None`, `1.0` stays `1.0`, `1e20` is `1e+20`.
 */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'bigint') return value.toString();
  // Integers arrive as bigint (intAsBigInt), so a number is always a YAML float.
  if (typeof value === 'number') return pythonFloatOrInt(value, true);
  if (typeof value === 'string') return value;
  if (value instanceof Date) return pythonDate(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function pythonRepr(value: unknown): string {
  if (typeof value === 'string')
    return value.includes("'") && !value.includes('"') ? `"${value}"` : `'${value.replace(/'/g, "\\'")}'`;
  return pythonStr(value);
}

function pythonDate(d: Date): string {
  const iso = d.toISOString();
  // PyYAML gives a datetime.date for a bare date (str: YYYY-MM-DD), a datetime otherwise.
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso
    .replace('T', ' ')
    .replace(/\.000Z$/, '')
    .replace(/Z$/, '');
}

/** repr() of a float (or str() of an int, which the yaml package gives as a number too). */
function pythonFloatOrInt(n: number, isFloat = !Number.isInteger(n)): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (!isFloat) return BigInt(n).toString();
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = String(n);
  return fixed.includes('.') || fixed.includes('e') ? fixed : `${fixed}.0`;
}

/** str() of a YAML float node's value (the yaml package drops the difference between 1 and 1.0). */
export function pythonFloatStr(n: number): string {
  return pythonFloatOrInt(n, true);
}
