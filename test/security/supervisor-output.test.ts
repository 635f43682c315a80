import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseProcNetTcp,
  parseSupervisorctlStatus,
  parsePortalYaml,
} from '../../src/main/services/supervisor/index';

// supervisorctl's output is printed inside a container the template author (or an attacker who owns
// the image) controls: program names and spawn errors can hold anything. The parser is read-only here
// (src/main/services/supervisor belongs to the launch/supervisor work).

const hostile = fc.constantFrom(
  '<img src=x onerror=window.__pwned=1>',
  '"; rm -rf / #',
  '$(touch /tmp/pwned)',
  '\x1b]0;title\x07',
  '\x1b[2J',
  '`id`',
);
const STATES = ['RUNNING', 'STOPPED', 'STARTING', 'BACKOFF', 'FATAL', 'EXITED', 'STOPPING', 'UNKNOWN'];

describe('supervisorctl status output', () => {
  it('keeps a hostile description verbatim and never throws', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}$/);
    fc.assert(
      fc.property(
        name,
        fc.constantFrom(...STATES),
        fc.oneof(hostile, fc.string({ unit: 'grapheme', maxLength: 40 })),
        (n, state, desc) => {
          const clean = desc.replace(/[\r\n]/g, ' ').trim();
          const parsed = parseSupervisorctlStatus(`${n.padEnd(33)} ${state}   ${clean}\n`);
          const p = parsed.processes[0];
          expect(p?.name).toBe(n);
          expect(p?.state).toBe(state);
          if (p && state !== 'RUNNING') expect(p.description).toBe(clean.replace(/\s+$/, ''));
        },
      ),
      // Found by CI: U+2028 in a description, which `.` did not match without the `s` flag.
      { numRuns: 1500, examples: [['a', 'RUNNING', '!\u2028!']] },
    );
  });

  it('survives truncated and random output', () => {
    const sample =
      'jupyter                          RUNNING   pid 12, uptime 0:01:02\nsshd   BACKOFF   Exited too quickly (process log may have details)\nx: ERROR (no such process)\n';
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat(sample.length).map((n) => sample.slice(0, n)),
          fc.string({ unit: 'binary', maxLength: 300 }),
        ),
        (text) => {
          const parsed = parseSupervisorctlStatus(text);
          expect(Array.isArray(parsed.processes)).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('the portal.yaml and /proc/net/tcp readers take any text without throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          hostile,
          fc.constantFrom('*x', 'a: &a [*a]', '{'),
        ),
        (text) => {
          for (const read of [parsePortalYaml, parseProcNetTcp] as Array<(t: string) => unknown>) {
            try {
              read(text);
            } catch (err) {
              expect(err).not.toBeInstanceOf(TypeError);
              expect(err).not.toBeInstanceOf(ReferenceError);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
