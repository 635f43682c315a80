import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findPortalTerm, parseSnapshot } from './supervisor-client';
import { parseProcNetTcp } from './proc-net-tcp';
import { parsePortalYaml } from './portal-apps';

describe('parseSnapshot', () => {
  it('combines status, skip markers and provisioning markers', () => {
    const stdout = [
      'extras                           EXITED    Nov 22 01:41 PM',
      'webapp                           RUNNING   pid 41, uptime 0:00:13',
      '<<tstudio:rc=3>>',
      'extras',
      '<<tstudio:markers>>',
      '/.provisioning_complete',
      '',
    ].join('\n');
    const snap = parseSnapshot(stdout, 1);
    expect(snap.supervisord).toBe('running');
    expect(snap.provisioning).toBe('complete');
    expect(snap.programs.map((p) => [p.name, p.state, p.skipped])).toEqual([
      ['extras', 'EXITED', true],
      ['webapp', 'RUNNING', false],
    ]);
  });

  it('tells a missing supervisord from a missing supervisorctl', () => {
    expect(
      parseSnapshot(
        'unix:///var/run/supervisor.sock no such file\n<<tstudio:rc=4>>\n<<tstudio:markers>>\n/.provisioning\n',
        1,
      ),
    ).toMatchObject({
      supervisord: 'unreachable',
      provisioning: 'running',
    });
    expect(
      parseSnapshot('sh: 1: supervisorctl: not found\n<<tstudio:rc=127>>\n<<tstudio:markers>>\n', 1),
    ).toMatchObject({
      supervisord: 'absent',
      provisioning: 'none',
      unparsed: [],
    });
  });

  it('never throws on any output', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('', '<<tstudio:rc=', '<<tstudio:rc=3>>\n', '<<tstudio:markers>>\n'),
        (a, b) => {
          const snap = parseSnapshot(a + b + a, 0);
          expect(['running', 'complete', 'failed', 'none']).toContain(snap.provisioning);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reports a failed provisioning unless one is running again', () => {
    expect(
      parseSnapshot('<<tstudio:rc=0>>\n<<tstudio:markers>>\n/.provisioning_failed\n', 1).provisioning,
    ).toBe('failed');
    expect(
      parseSnapshot('<<tstudio:rc=0>>\n<<tstudio:markers>>\n/.provisioning\n/.provisioning_failed\n', 1)
        .provisioning,
    ).toBe('running');
  });
});

describe('findPortalTerm', () => {
  it('finds the term a program is gated by', () => {
    expect(findPortalTerm('. /opt/supervisor-scripts/utils/exit_portal.sh "demo web app"\n')).toBe(
      'demo web app',
    );
    expect(findPortalTerm("source /opt/supervisor-scripts/utils/exit_portal.sh 'jupyter'")).toBe('jupyter');
    expect(findPortalTerm('# . exit_portal.sh "x"\ncron -f')).toBeNull();
  });
});

describe('parseProcNetTcp', () => {
  it('lists listening sockets of IPv4 and IPv6', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:4650 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 0100007F:4650 0100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 3 1',
      '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0 0 0 0',
    ].join('\n');
    expect(parseProcNetTcp(text)).toEqual([
      { address: '127.0.0.1', port: 18000 },
      { address: '0.0.0.0', port: 22 },
      { address: '::', port: 8080 },
    ]);
  });
});

describe('parsePortalYaml', () => {
  it('reads applications as caddy_config_manager writes them', () => {
    const text =
      'applications:\n  Demo Web App:\n    hostname: localhost\n    external_port: 8000\n    internal_port: 18000\n    open_path: /\n    name: Demo Web App\n';
    expect(parsePortalYaml(text)).toEqual([
      { name: 'Demo Web App', hostname: 'localhost', externalPort: 8000, internalPort: 18000, openPath: '/' },
    ]);
    expect(parsePortalYaml(': not yaml : [')).toEqual([]);
    expect(parsePortalYaml('applications: {}')).toEqual([]);
  });
});
