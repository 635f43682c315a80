import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSupervisorctlStatus, SUPERVISOR_STATES } from './supervisorctl-status';

// Lines computed with Supervisor 4.2.5's own formatting code (reference §3), trailing spaces included.
const REAL_OUTPUT = [
  'caddy                            RUNNING   pid 412, uptime 1:02:05',
  'instance_portal                  RUNNING   pid 7, uptime 1 day, 1:01:01',
  'jupyter                          EXITED    Nov 22 08:34 AM',
  'syncthing                        BACKOFF   Exited too quickly (process log may have details)',
  'tensorboard                      FATAL     unknown error (try "tail tensorboard")',
  'cron                             STARTING  ',
  'myapp                            STOPPED   Not started',
  'workers:w0                       STOPPING  ',
  '',
].join('\n');

describe('parseSupervisorctlStatus', () => {
  it('reads every state of the real format', () => {
    const parsed = parseSupervisorctlStatus(REAL_OUTPUT);
    expect(parsed.unparsed).toEqual([]);
    expect(parsed.unreachable).toBe(false);
    expect(parsed.processes.map((p) => [p.namespec, p.state])).toEqual([
      ['caddy', 'RUNNING'],
      ['instance_portal', 'RUNNING'],
      ['jupyter', 'EXITED'],
      ['syncthing', 'BACKOFF'],
      ['tensorboard', 'FATAL'],
      ['cron', 'STARTING'],
      ['myapp', 'STOPPED'],
      ['workers:w0', 'STOPPING'],
    ]);
  });

  it('reads pid and uptime, including days', () => {
    const [caddy, portal] = parseSupervisorctlStatus(REAL_OUTPUT).processes;
    expect(caddy).toMatchObject({ pid: 412, uptimeSeconds: 3600 + 2 * 60 + 5 });
    expect(portal).toMatchObject({ pid: 7, uptimeSeconds: 86_400 + 3600 + 60 + 1 });
    const days = parseSupervisorctlStatus(
      'x                                RUNNING   pid 1, uptime 3 days, 0:00:09',
    );
    expect(days.processes[0]?.uptimeSeconds).toBe(3 * 86_400 + 9);
  });

  it('keeps descriptions and error text as printed', () => {
    const byName = new Map(parseSupervisorctlStatus(REAL_OUTPUT).processes.map((p) => [p.namespec, p]));
    expect(byName.get('jupyter')?.description).toBe('Nov 22 08:34 AM');
    expect(byName.get('syncthing')?.error).toBe('Exited too quickly (process log may have details)');
    expect(byName.get('tensorboard')?.error).toBe('unknown error (try "tail tensorboard")');
    expect(byName.get('cron')?.description).toBe('');
    expect(byName.get('myapp')?.description).toBe('Not started');
    expect(byName.get('workers:w0')).toMatchObject({ group: 'workers', name: 'w0' });
  });

  it('reads a name longer than the padded column', () => {
    const long = 'a_program_name_that_is_longer_than_thirty_chars';
    const line = `${long}   RUNNING   pid 9, uptime 0:00:01`;
    expect(parseSupervisorctlStatus(line).processes[0]).toMatchObject({
      namespec: long,
      state: 'RUNNING',
      pid: 9,
    });
  });

  it('reports errors and an unreachable supervisord', () => {
    const parsed = parseSupervisorctlStatus(
      'nope: ERROR (no such process)\nunix:///var/run/supervisor.sock no such file\n',
    );
    expect(parsed.errors).toEqual([{ namespec: 'nope', message: 'no such process' }]);
    expect(parsed.unreachable).toBe(true);
    expect(parsed.processes).toEqual([]);
  });

  it('keeps what it cannot read instead of guessing', () => {
    const parsed = parseSupervisorctlStatus('sh: 1: supervisorctl: not found\n');
    expect(parsed.processes).toEqual([]);
    expect(parsed.unparsed).toEqual(['sh: 1: supervisorctl: not found']);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.anything()), (input) => {
        const parsed = parseSupervisorctlStatus(input);
        expect(Array.isArray(parsed.processes)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips any well-formed line built the way supervisorctl builds it', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,40}(:[a-z0-9_-]{1,10})?$/);
    fc.assert(
      fc.property(
        name,
        fc.constantFrom(...SUPERVISOR_STATES),
        fc.stringMatching(/^[ -~]{0,60}$/),
        (namespec, state, desc) => {
          const width = Math.max(30, namespec.length) + 3;
          const line = namespec.padEnd(width) + state.padEnd(10) + desc;
          const parsed = parseSupervisorctlStatus(line);
          expect(parsed.processes).toHaveLength(1);
          expect(parsed.processes[0]?.namespec).toBe(namespec);
          expect(parsed.processes[0]?.state).toBe(state);
          expect(parsed.processes[0]?.description).toBe(desc.trim());
        },
      ),
      { numRuns: 1000 },
    );
  });
});
