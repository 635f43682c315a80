import { describe, expect, it } from 'vitest';
import { bootStagesIn, bootSteps, parseBootProbe } from './boot-progress';

const probe = (lines: string[], failures = '') =>
  parseBootProbe(
    `${lines.join('\n')}\n---onstart\nboot: 10-prep-env.sh\n---provisioning\nProvisioning complete\n---failures\n${failures}---end\n`,
  );

describe('boot progress steps', () => {
  it('reads markers, supervisord and the logs from the probe output', () => {
    const p = probe(
      ['file /.provisioning 1700000000.250', 'supervisord running'],
      '2026 45-x.sh exited with 1\n',
    );
    expect(p.files.get('/.provisioning')).toBe(1_700_000_000_250);
    expect(p.supervisord).toBe(true);
    expect(p.onstartLog).toBe('boot: 10-prep-env.sh\n');
    expect(p.provisioningLog).toBe('Provisioning complete\n');
    expect(p.failures).toEqual(['2026 45-x.sh exited with 1']);
    expect(bootStagesIn('boot: 10-a.sh\nnoise\nboot: 20-b.sh\nboot: 10-a.sh\n')).toEqual([
      '10-a.sh',
      '20-b.sh',
    ]);
  });

  it('a created container is booting, not failed; one that stopped mid-boot failed', () => {
    const created = bootSteps({
      startedAt: null,
      running: false,
      created: true,
      provisioningScript: 'x',
      probe: null,
      stages: [],
    });
    expect(created.outcome).toBe('booting');
    expect(created.steps.every((s) => s.state === 'pending')).toBe(true);
    const died = bootSteps({
      startedAt: 1,
      running: false,
      provisioningScript: '/p.sh',
      probe: null,
      stages: ['10-a.sh', '65-supervisor-launch.sh'],
    });
    expect(died.outcome).toBe('failed');
    expect(died.steps.find((s) => s.id === 'boot-stages')?.state).toBe('failed');
  });

  it('provisioning running while /.provisioning exists, skipped without a script, failed on its marker', () => {
    const running = bootSteps({
      startedAt: 1,
      running: true,
      provisioningScript: '/p.sh',
      probe: probe(['file /var/log/onstart.log 2', 'file /.provisioning 3', 'supervisord running']),
      stages: ['65-supervisor-launch.sh'],
    });
    expect(running.outcome).toBe('booting');
    expect(running.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'running', 'pending']);
    const none = bootSteps({
      startedAt: 1,
      running: true,
      provisioningScript: null,
      probe: probe(['file /var/log/onstart.log 2', 'supervisord running']),
      stages: [],
    });
    expect(none.outcome).toBe('ready');
    expect(none.steps.find((s) => s.id === 'provisioning')?.state).toBe('skipped');
    const failed = bootSteps({
      startedAt: 1,
      running: true,
      provisioningScript: '/p.sh',
      probe: probe(['file /var/log/onstart.log 2', 'file /.provisioning_failed 4', 'supervisord running']),
      stages: [],
    });
    expect(failed.outcome).toBe('ready-with-failures');
    expect(failed.steps.find((s) => s.id === 'provisioning')?.state).toBe('failed');
  });
});
