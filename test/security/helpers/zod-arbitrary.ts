import fc from 'fast-check';
import type { z } from 'zod';

/**
 * fast-check arbitraries derived from zod 4 schemas: valid values for a schema, and values that a
 * schema must refuse. Covers the zod types the contract uses (object, string with min/max/regex,
 * number with int/min/max, enum, literal, boolean, array, optional, nullable, default, union,
 * discriminatedUnion, record, partialRecord, tuple, unknown), plus pipe and lazy for completeness.
 *
 * It reads zod's internal `_zod.def`, which is the only place zod 4 exposes a schema's structure.
 */

export interface ArbitraryOptions {
  /** Replaces the generator of any object property with this name (e.g. keep `host` on loopback). */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
  /** Longest string generated when the schema allows more (huge strings are the invalid side's job). */
  maxStringLength?: number;
}

interface Def {
  type: string;
  [key: string]: unknown;
}
interface CheckDef {
  check: string;
  [key: string]: unknown;
}

function defOf(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

function checksOf(def: Def): CheckDef[] {
  const checks = (def.checks ?? []) as Array<{ _zod: { def: CheckDef } }>;
  return checks.map((c) => c._zod.def);
}

/** Keeps only values the leaf schema accepts: cheap at a leaf, and it covers checks not modelled here. */
function accepted<T>(schema: z.ZodType, arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return arb.filter((v) => schema.safeParse(v).success);
}

const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('<img src=x onerror=alert(1)>', '$(id)', '"; rm -rf / #', '\x1b[2J'),
  },
);

export function validArbitrary(schema: z.ZodType, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const maxString = options.maxStringLength ?? 64;
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, field] of Object.entries(shape)) {
        const fieldType = defOf(field).type;
        const optional = fieldType === 'optional' || fieldType === 'default';
        const override = options.overrides?.[key];
        model[key] =
          override ?? validArbitrary(optional ? (defOf(field).innerType as z.ZodType) : field, options);
        if (!optional) requiredKeys.push(key);
      }
      return fc.record(model, { requiredKeys });
    }
    case 'string': {
      let min = 0;
      let max = Infinity;
      const patterns: RegExp[] = [];
      for (const c of checksOf(def)) {
        if (c.check === 'min_length') min = c.minimum as number;
        if (c.check === 'max_length') max = c.maximum as number;
        if (c.check === 'length_equals') min = max = c.length as number;
        if (c.check === 'string_format' && c.pattern instanceof RegExp) patterns.push(c.pattern);
      }
      const cap = Math.min(max, min + maxString);
      const base = patterns[0]
        ? fc.stringMatching(patterns[0]).map((s) => s.slice(0, cap))
        : fc.oneof(
            anyString.filter((s) => s.length >= min && s.length <= cap),
            fc.string({ minLength: min, maxLength: cap }),
          );
      return accepted(schema, base);
    }
    case 'number': {
      let min = -Number.MAX_SAFE_INTEGER;
      let max = Number.MAX_SAFE_INTEGER;
      let integer = false;
      for (const c of checksOf(def)) {
        if (c.check === 'number_format') integer = String(c.format).includes('int');
        if (c.check === 'greater_than')
          min = Math.max(min, (c.value as number) + (c.inclusive ? 0 : integer ? 1 : 1e-9));
        if (c.check === 'less_than')
          max = Math.min(max, (c.value as number) - (c.inclusive ? 0 : integer ? 1 : 1e-9));
      }
      const arb = integer
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
      return accepted(schema, arb);
    }
    case 'boolean':
      return fc.boolean();
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'array': {
      let min = 0;
      let max = Infinity;
      for (const c of checksOf(def)) {
        if (c.check === 'min_length') min = c.minimum as number;
        if (c.check === 'max_length') max = c.maximum as number;
      }
      return fc.array(validArbitrary(def.element as z.ZodType, options), {
        minLength: min,
        maxLength: Math.min(max, min + 4),
      });
    }
    case 'optional':
      return fc.option(validArbitrary(def.innerType as z.ZodType, options), { nil: undefined });
    case 'nullable':
      return fc.option(validArbitrary(def.innerType as z.ZodType, options), { nil: null });
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return validArbitrary(def.innerType as z.ZodType, options);
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map((o) => validArbitrary(o, options)));
    case 'record': {
      const keyDef = defOf(def.keyType);
      const value = validArbitrary(def.valueType as z.ZodType, options);
      if (keyDef.type === 'enum') {
        const keys = Object.values(keyDef.entries as Record<string, string>);
        const model = Object.fromEntries(keys.map((k) => [k, value]));
        return fc.record(model, { requiredKeys: def.mode === 'partial' || def.partial ? [] : keys });
      }
      return fc.dictionary(validArbitrary(def.keyType as z.ZodType, options) as fc.Arbitrary<string>, value, {
        maxKeys: 4,
      });
    }
    case 'tuple':
      return fc.tuple(...(def.items as z.ZodType[]).map((i) => validArbitrary(i, options)));
    case 'unknown':
    case 'any':
      return fc.jsonValue({ maxDepth: 2 });
    case 'null':
      return fc.constant(null);
    case 'undefined':
      return fc.constant(undefined);
    case 'pipe':
      return validArbitrary(def.in as z.ZodType, options);
    case 'lazy':
      return validArbitrary((def.getter as () => z.ZodType)(), options);
    default:
      throw new Error(`validArbitrary: no generator for zod type "${def.type}"`);
  }
}

/** A JSON object that carries its own `__proto__` / `constructor` key, as JSON.parse produces it. */
const pollutingKeys = fc.constantFrom(
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
);

const wrongTyped = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.constant(Number.NaN),
  fc.constant(Infinity),
  fc.constant({}),
);

/** Strings far above any limit the contract sets: a renderer must not be able to make main choke. */
const hugeString = fc.integer({ min: 1_100_000, max: 2_000_000 }).map((n) => 'x'.repeat(n));

/**
 * Values the schema must refuse: the wrong kind of thing at the top, a valid value with one property
 * swapped for a wrong-typed, huge or missing one, extra keys, and prototype-polluting keys. Anything the
 * schema happens to accept (a non-strict object dropping an extra key) is filtered out here; the
 * prototype-pollution property test covers those separately.
 */
export function invalidArbitrary(schema: z.ZodType, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const valid = validArbitrary(schema, options);
  const mutated = fc
    .tuple(valid, fc.nat(), fc.oneof(wrongTyped, hugeString, fc.constant(undefined)), fc.nat())
    .map(([value, pick, replacement, mode]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return replacement;
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      if (keys.length === 0 || mode % 3 === 0) copy[`extra_${pick % 7}`] = replacement ?? 1;
      else copy[keys[pick % keys.length]!] = replacement;
      return copy;
    });
  const polluted = fc.tuple(valid, pollutingKeys).map(([value, json]) => {
    const hostile = JSON.parse(json) as Record<string, unknown>;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.assign(hostile, value)
      : hostile;
  });
  const topLevel = fc.oneof(
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
    hugeString,
  );
  return fc
    .oneof(
      { weight: 5, arbitrary: mutated },
      { weight: 2, arbitrary: polluted },
      { weight: 2, arbitrary: topLevel },
    )
    .filter((v) => !schema.safeParse(v).success);
}

/** The same, without the filter: inputs whose key names try to pollute prototypes, valid or not. */
export function pollutingArbitrary(schema: z.ZodType, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  return fc.tuple(validArbitrary(schema, options), pollutingKeys).map(([value, json]) => {
    const hostile = JSON.parse(json) as Record<string, unknown>;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.assign(hostile, value)
      : hostile;
  });
}
