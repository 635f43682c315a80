import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import type { VastInstanceData } from '../vast/index';
import type { ExecTransport } from '../supervisor/index';
import {
  BOOT_PROBE_ARGV,
  bootProgressFrom,
  bootStagesIn,
  bootSteps,
  instanceBootState,
  parseBootProbe,
  readInstanceBootProgress,
} from './boot-progress';

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
    expect(died.outcome).toBe('stopped');
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

const instance = (fields: Partial<VastInstanceData>): VastInstanceData =>
  ({ id: 7, ...fields }) as VastInstanceData;

/** An exec transport that answers one fixed output, and records what it was asked to run. */
function answering(stdout: string | Error) {
  const asked: string[][] = [];
  const transport: ExecTransport = {
    exec: async (argv) => {
      asked.push(argv);
      if (stdout instanceof Error) throw stdout;
      return { stdout, stderr: '', exitCode: 0 };
    },
    stream: async () => ({ exitCode: 0 }),
  };
  return { transport, asked };
}

const BOOTED = [
  'file /var/log/onstart.log 1700000001',
  'file /.provisioning_complete 1700000005',
  'supervisord running',
  '---onstart',
  'boot: 10-prep-env.sh',
  'boot: 65-supervisor-launch.sh',
  '---provisioning',
  'Provisioning complete',
  '---failures',
  '---end',
  '',
].join('\n');

describe('boot progress of a Vast instance', () => {
  it('tells a loading instance as not started yet, with its status message, not as failed', () => {
    const state = instanceBootState(
      instance({ actual_status: 'loading', status_msg: 'Pulling image', start_date: 1_700_000_000 }),
    );
    expect(state).toMatchObject({ running: false, created: true, startedAt: null });
    expect(state.note).toBe('Not started yet. Vast: loading — Pulling image');
    const read = bootProgressFrom('instance:7', { ...state, probe: null, output: '' }, 5);
    expect(read.outcome).toBe('booting');
    expect(read.steps.every((s) => s.state === 'pending')).toBe(true);
    expect(read.steps[0]!.detail).toBe(state.note);
    // null while provisioning: not started either.
    expect(instanceBootState(instance({ actual_status: null })).note).toBe(
      'Not started yet. Vast: provisioning',
    );
  });

  it("takes the started time from start_date and PROVISIONING_SCRIPT from the instance's env", () => {
    const state = instanceBootState(
      instance({
        actual_status: 'running',
        start_date: 1_700_000_000.5,
        extra_env: [
          ['OPEN_BUTTON_PORT', '1111'],
          ['PROVISIONING_SCRIPT', 'https://example.test/p.sh'],
        ],
      }),
    );
    expect(state).toMatchObject({
      running: true,
      created: false,
      startedAt: 1_700_000_000_500,
      provisioningScript: 'https://example.test/p.sh',
      note: null,
    });
    const stopped = instanceBootState(instance({ actual_status: 'stopped', start_date: 1_700_000_000 }));
    expect(stopped).toMatchObject({ running: false, created: false, provisioningScript: null });
    expect(stopped.note).toBe('Vast: stopped');
  });

  it('runs the fixed probe over the transport of a running instance and reads its stages from the onstart log', async () => {
    const { transport, asked } = answering(BOOTED);
    const read = await readInstanceBootProgress({
      target: 'instance:7',
      instance: instance({
        actual_status: 'running',
        start_date: 1_700_000_000,
        extra_env: [['PROVISIONING_SCRIPT', '/p.sh']],
      }),
      transport,
      now: () => 42,
    });
    expect(asked).toEqual([[...BOOT_PROBE_ARGV]]);
    expect(read.outcome).toBe('ready');
    expect(read.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done', 'done']);
    expect(read.stages).toEqual(['10-prep-env.sh', '65-supervisor-launch.sh']);
    expect(read.provisioningLog).toBe('Provisioning complete\n');
    expect(read.at).toBe(42);
  });

  it('a running instance whose SSH does not answer is booting, says why, and tells the caller', async () => {
    const { transport } = answering(new AppError('SSH_CONNECT', 'connection refused'));
    const errors: unknown[] = [];
    const read = await readInstanceBootProgress({
      target: 'instance:7',
      instance: instance({ actual_status: 'running', start_date: 1_700_000_000 }),
      transport,
      onProbeError: (e) => errors.push(e),
    });
    expect(read.outcome).toBe('booting');
    expect(read.steps[0]).toMatchObject({ state: 'done', at: 1_700_000_000_000 });
    expect(read.steps[0]!.detail).toContain('connection refused');
    expect(errors).toHaveLength(1);
  });

  it('a stopped instance is read from the API alone, without an exec', async () => {
    const { transport, asked } = answering(BOOTED);
    const read = await readInstanceBootProgress({
      target: 'instance:7',
      instance: instance({ actual_status: 'stopped', status_msg: 'stopped by user' }),
      transport,
    });
    expect(asked).toEqual([]);
    expect(read.outcome).toBe('stopped');
    expect(read.steps[0]!.detail).toBe('Vast: stopped — stopped by user');
  });
});
