import { describe, expect, it } from 'vitest';
import { RunStartInput } from '../../../../shared/contract/runs';
import {
  BYTES_PER_GB,
  EMPTY_RUN_OPTIONS,
  LIMIT_BOUNDS,
  countSetOptions,
  parseRunOptions,
  type RunOptionsText,
} from './run-options';

const opts = (o: Partial<RunOptionsText>): RunOptionsText => ({ ...EMPTY_RUN_OPTIONS, ...o });

function ok(o: Partial<RunOptionsText>, mode: 'ssh' | 'jupyter' | 'args' = 'ssh') {
  const r = parseRunOptions(opts(o), mode);
  if (!r.ok) throw new Error(`expected no errors, got ${JSON.stringify(r.errors)}`);
  // Whatever the form sends, the contract accepts.
  expect(RunStartInput.safeParse({ source: '/t', mode, ...r.input }).success).toBe(true);
  return r.input;
}

function errors(o: Partial<RunOptionsText>, mode: 'ssh' | 'jupyter' | 'args' = 'ssh') {
  const r = parseRunOptions(opts(o), mode);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.input)}`);
  return r.errors;
}

describe('parseRunOptions', () => {
  it('sends nothing when every field is empty or blank', () => {
    expect(ok({})).toEqual({});
    expect(ok({ cpus: '  ', memoryGb: ' ', env: '\n\n', ports: ' , ', template: ' ' })).toEqual({});
  });

  it('converts GB to bytes (1024³) and keeps CPUs and disk GB as they are', () => {
    expect(ok({ cpus: '1.5', memoryGb: '0.5', shmGb: '2', diskGb: '20' }).limits).toEqual({
      cpus: 1.5,
      memoryBytes: 536_870_912,
      shmBytes: 2 * BYTES_PER_GB,
      diskGb: 20,
    });
    // A fraction that is not a whole number of bytes is rounded: the contract wants an integer.
    expect(ok({ memoryGb: '0.3' }).limits?.memoryBytes).toBe(Math.round(0.3 * BYTES_PER_GB));
    expect(ok({ shmGb: '.25' }).limits).toEqual({ shmBytes: 268_435_456 });
  });

  it("takes the maxima from the contract's RunLimits", () => {
    expect(LIMIT_BOUNDS.cpus).toEqual({ min: 0.01, max: 1024, step: 0.01 });
    expect(LIMIT_BOUNDS.diskGb).toEqual({ min: 0.01, max: 100_000, step: 0.01 });
    expect(LIMIT_BOUNDS.memoryGb.max).toBeNull();
  });

  it('accepts the bounds themselves and refuses what lies outside them, field by field', () => {
    expect(ok({ cpus: '0.01', diskGb: '100000' }).limits).toEqual({ cpus: 0.01, diskGb: 100_000 });
    expect(ok({ cpus: '1024' }).limits).toEqual({ cpus: 1024 });
    expect(errors({ cpus: '1024.5' })).toEqual({ cpus: 'CPUs must be between 0.01 and 1024.' });
    expect(errors({ cpus: '0' })).toEqual({ cpus: 'CPUs must be between 0.01 and 1024.' });
    expect(errors({ cpus: '-1' })).toEqual({ cpus: 'CPUs must be between 0.01 and 1024.' });
    expect(errors({ diskGb: '100001' })).toEqual({ diskGb: 'Disk must be between 0.01 and 100000.' });
    expect(errors({ memoryGb: '0.001' })).toEqual({ memoryGb: 'Memory must be at least 0.01.' });
    expect(errors({ shmGb: '0' })).toEqual({ shmGb: 'Shared memory must be at least 0.01.' });
    expect(errors({ memoryGb: '1e300' })).toEqual({ memoryGb: 'Memory is too large.' });
  });

  it('refuses what is not a plain decimal number', () => {
    for (const bad of ['abc', '1,5', '0x10', '1.5 GB', 'Infinity', 'NaN', '1..2']) {
      expect(errors({ cpus: bad }).cpus, bad).toBe('CPUs must be a number.');
    }
  });

  it('refuses a number field the browser could not read, though its text reads as empty', () => {
    const r = parseRunOptions(opts({ cpus: '' }), 'ssh', new Set(['cpus', 'diskGb'] as const));
    expect(r).toEqual({
      ok: false,
      errors: { cpus: 'CPUs must be a number.', diskGb: 'Disk must be a number.' },
    });
  });

  it('reports every bad field at once, so each shows its own error', () => {
    expect(Object.keys(errors({ cpus: 'x', memoryGb: '0', env: 'nope', ports: 'http' })).sort()).toEqual([
      'cpus',
      'env',
      'memoryGb',
      'ports',
    ]);
  });
});

describe('environment lines', () => {
  it('reads NAME=value lines, skipping blank lines and # comments', () => {
    expect(
      ok({
        env: '# a comment\nHELLO_FROM_FORM=yes\n\n  # indented comment\n_X1=a=b=c\nEMPTY=\r\nSPACED= keep \n',
      }).env,
    ).toEqual({ HELLO_FROM_FORM: 'yes', _X1: 'a=b=c', EMPTY: '', SPACED: ' keep ' });
  });

  it('trims the name but not the value', () => {
    expect(ok({ env: '  A = b' }).env).toEqual({ A: ' b' });
  });

  it('names the line without "="', () => {
    expect(errors({ env: 'A=1\n\nJUST_A_NAME' }).env).toBe(
      'Line 3 ("JUST_A_NAME") has no "=": write NAME=value.',
    );
  });

  it('names the line with an invalid name (the contract’s EnvName)', () => {
    expect(errors({ env: 'A=1\nMY-VAR=2' }).env).toMatch(/^Line 2: "MY-VAR" is not a variable name/);
    expect(errors({ env: '1ABC=x' }).env).toMatch(/^Line 1: "1ABC" is not a variable name/);
    expect(errors({ env: '=x' }).env).toMatch(/^Line 1: "" is not a variable name/);
    expect(errors({ env: 'A B=x' }).env).toMatch(/^Line 1: "A B"/);
  });

  it('refuses a name set twice, naming both lines', () => {
    expect(errors({ env: 'A=1\n# x\nA=2' }).env).toBe('Line 3: A is already set on line 1.');
  });
});

describe('extra ports', () => {
  it('splits on commas and spaces', () => {
    expect(ok({ ports: '8000, 9000/udp 70000,,8080/TCP' }).ports).toEqual([
      '8000',
      '9000/udp',
      '70000',
      '8080/tcp',
    ]);
  });

  it('refuses what is not a port, or out of range', () => {
    expect(errors({ ports: '8000, http' }).ports).toBe(
      '"http" is not a port: write 8000, 9000/udp or 70000.',
    );
    expect(errors({ ports: '8000/sctp' }).ports).toMatch(/is not a port/);
    expect(errors({ ports: '0' }).ports).toMatch(/^Port 0 is out of range/);
    expect(errors({ ports: '65536' }).ports).toMatch(/^Port 65536 is out of range/);
    expect(errors({ ports: '100000' }).ports).toMatch(/^Port 100000 is out of range/);
    expect(ok({ ports: '65535 99999' }).ports).toEqual(['65535', '99999']);
  });

  it('refuses more ports than the contract takes', () => {
    const many = Array.from({ length: 65 }, (_, i) => String(1000 + i)).join(' ');
    expect(errors({ ports: many }).ports).toBe('At most 64 extra ports.');
  });
});

describe('arguments', () => {
  it('are split like a shell would, in args mode', () => {
    expect(ok({ args: `python -c 'print("hi there")' --flag="a b"` }, 'args').args).toEqual([
      'python',
      '-c',
      'print("hi there")',
      '--flag=a b',
    ]);
  });

  it('are left out when empty, so the template’s args_str is used', () => {
    expect(ok({ args: '   ' }, 'args')).toEqual({});
  });

  it('are refused with an open quote or a trailing backslash', () => {
    expect(errors({ args: `echo "unclosed` }, 'args').args).toMatch(/inside a quote/);
    expect(errors({ args: 'echo \\' }, 'args').args).toMatch(/after a backslash/);
  });

  it('are ignored outside args mode, even when they would be invalid', () => {
    expect(ok({ args: 'echo hi' }, 'ssh')).toEqual({});
    expect(ok({ args: `echo "unclosed` }, 'jupyter')).toEqual({});
  });

  it('are refused beyond the contract’s 200 words', () => {
    expect(errors({ args: Array.from({ length: 201 }, () => 'a').join(' ') }, 'args').args).toBe(
      'At most 200 arguments.',
    );
  });
});

describe('template name', () => {
  it('is sent trimmed when given', () => {
    expect(ok({ template: ' gpu ' }).template).toBe('gpu');
  });

  it('is a name under templates/, not a path', () => {
    expect(errors({ template: 'templates/gpu' }).template).toMatch(/without a slash/);
    expect(errors({ template: 'x'.repeat(201) }).template).toBe('At most 200 characters.');
  });
});

describe('countSetOptions', () => {
  it('counts filled fields; args only in args mode', () => {
    expect(countSetOptions(opts({ cpus: '1', env: 'A=1', args: 'x' }), 'ssh')).toBe(2);
    expect(countSetOptions(opts({ cpus: '1', env: 'A=1', args: 'x' }), 'args')).toBe(3);
    expect(countSetOptions(EMPTY_RUN_OPTIONS, 'args')).toBe(0);
  });
});
