import type Docker from 'dockerode';
import type { z } from 'zod';
import type { BootProgress, BootStep } from '../../../shared/contract/monitor';
import { AppError } from '../../../shared/errors';
import { DockerExecTransport, type ExecTransport } from '../supervisor/index';
import { extraEnvObject, type VastInstanceData } from '../vast/index';

export type BootProgressData = z.output<typeof BootProgress>;
type BootStepData = z.output<typeof BootStep>;

/**
 * One fixed script (no data in it) that reads the boot flow's markers and logs inside the container
 * (see reference/vast-runtime.md §2): the onstart log, /.provisioning (touched just before
 * supervisord starts, removed by 95-supervisor-wait when provisioning is over), the
 * PROVISIONING_SCRIPT's outcome markers and log, and the stages that failed. Times are the files'; a
 * file removed between the listing and its stat (the boot is fast) counts as absent, never as time 0.
 * supervisord is looked for before the files: a boot can make the marker and start supervisord
 * between two looks, and a running supervisord with no marker must mean the marker came and went
 * (provisioning over, its outcome marker already made), not that it has yet to come.
 */
const PROBE = `
for p in /proc/[0-9]*/comm; do
  read -r c < "$p" 2>/dev/null && [ "$c" = supervisord ] && {
    echo "supervisord running"; break; }
done
for f in /var/log/onstart.log /.provisioning /.provisioning_complete /.provisioning_failed /var/log/vast_boot_failures /var/log/portal/provisioning.log; do
  t=$(stat -c %.3Y "$f" 2>/dev/null) && echo "file $f $t"
done
echo "---onstart"; tail -c 16384 /var/log/onstart.log 2>/dev/null
echo "---provisioning"; tail -c 32768 /var/log/portal/provisioning.log 2>/dev/null
echo "---failures"; cat /var/log/vast_boot_failures 2>/dev/null
echo "---end"
`;

export const BOOT_PROBE_ARGV = ['sh', '-c', PROBE] as const;

interface ProbeResult {
  files: Map<string, number>;
  supervisord: boolean;
  onstartLog: string;
  provisioningLog: string;
  failures: string[];
}

function section(out: string, name: string): string {
  const start = out.indexOf(`---${name}\n`);
  if (start < 0) return '';
  const from = start + name.length + 4;
  const end = out.indexOf('\n---', from - 1);
  return out.slice(from, end < 0 ? undefined : end + 1);
}

export function parseBootProbe(out: string): ProbeResult {
  const files = new Map<string, number>();
  let supervisord = false;
  for (const line of out.slice(0, Math.max(0, out.indexOf('---onstart'))).split('\n')) {
    const m = /^file (\S+) ([\d.]+)$/.exec(line);
    if (m) files.set(m[1]!, Math.round(Number(m[2]) * 1000));
    else if (line === 'supervisord running') supervisord = true;
  }
  return {
    files,
    supervisord,
    onstartLog: section(out, 'onstart'),
    provisioningLog: section(out, 'provisioning'),
    failures: section(out, 'failures')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  };
}

/** `boot: 10-prep-env.sh` lines that boot_default.sh prints as it sources each stage. */
export function bootStagesIn(output: string): string[] {
  const stages: string[] = [];
  for (const m of output.matchAll(/^boot: (\d\d-[\w.-]+\.sh)\s*$/gm)) {
    if (!stages.includes(m[1]!)) stages.push(m[1]!);
  }
  return stages;
}

/**
 * The steps from what was read. Pure, so the order and outcomes can be tested without a container.
 * `running`: the container runs now (a container neither running nor just created has stopped, and
 * its boot failed if it had not ended); `provisioningScript`: whether the run set PROVISIONING_SCRIPT.
 */
export function bootSteps(input: {
  startedAt: number | null;
  running: boolean;
  /** Created and not yet started: still to boot, not failed. */
  created?: boolean;
  provisioningScript: string | null;
  probe: ProbeResult | null;
  stages: string[];
}): { steps: BootStepData[]; outcome: BootProgressData['outcome'] } {
  const { probe, running } = input;
  const file = (p: string) => probe?.files.get(p) ?? null;
  const provisioningMarker = file('/.provisioning');
  const complete = file('/.provisioning_complete');
  const failedMarker = file('/.provisioning_failed');
  const supervisorUp = probe?.supervisord ?? false;
  // /.provisioning is touched right before supervisord starts and removed when provisioning ends.
  const supervisorSeen = supervisorUp || provisioningMarker !== null;
  const ready = supervisorUp && provisioningMarker === null;
  const lastStage = input.stages[input.stages.length - 1] ?? null;
  const pendingOr = (failed: boolean): BootStepData['state'] => (failed ? 'failed' : 'pending');
  const stopped = !running && !input.created;

  const steps: BootStepData[] = [
    {
      id: 'started',
      label: 'Container started',
      state: input.startedAt ? 'done' : pendingOr(stopped),
      at: input.startedAt,
      detail: null,
    },
    {
      id: 'onstart',
      label: 'onstart (/root/onstart.sh)',
      state: file('/var/log/onstart.log') !== null ? 'done' : pendingOr(stopped),
      // The log's time is its last write (the boot appends to it), not when onstart began.
      at: null,
      detail: file('/var/log/onstart.log') !== null ? 'output in /var/log/onstart.log' : null,
    },
    {
      id: 'boot-stages',
      label: 'Boot stages (/etc/vast_boot.d)',
      state: supervisorSeen
        ? probe?.failures.length
          ? 'failed'
          : 'done'
        : input.stages.length
          ? stopped
            ? 'failed'
            : 'running'
          : pendingOr(stopped),
      at: null,
      detail: probe?.failures.length
        ? `${probe.failures.length} stage(s) failed; the boot went on`
        : lastStage
          ? `${input.stages.length} stage(s), last ${lastStage}`
          : null,
    },
    {
      id: 'supervisor',
      label: 'supervisord started',
      state: supervisorSeen ? 'done' : pendingOr(stopped),
      // /.provisioning is touched just before supervisord starts; gone once the boot has ended.
      at: provisioningMarker,
      detail: null,
    },
    {
      id: 'provisioning',
      label: 'PROVISIONING_SCRIPT',
      state: failedMarker
        ? 'failed'
        : complete
          ? 'done'
          : !input.provisioningScript
            ? supervisorSeen
              ? 'skipped'
              : 'pending'
            : provisioningMarker !== null
              ? stopped
                ? 'failed'
                : 'running'
              : pendingOr(stopped),
      at: failedMarker ?? complete,
      detail: input.provisioningScript
        ? `${input.provisioningScript} · log /var/log/portal/provisioning.log`
        : 'not set',
    },
    {
      id: 'ready',
      label: 'Ready (/.provisioning removed)',
      state: ready ? 'done' : pendingOr(stopped),
      at: null,
      detail: null,
    },
  ];
  const failedSomewhere = steps.some((s) => s.state === 'failed');
  const outcome: BootProgressData['outcome'] = stopped
    ? 'stopped'
    : ready
      ? failedSomewhere
        ? 'ready-with-failures'
        : 'ready'
      : 'booting';
  return { steps, outcome };
}

/**
 * What a boot is read from, whichever way it was reached (docker or SSH): the target's state as its
 * owner tells it, and one run of the probe inside it.
 */
export interface BootReading {
  startedAt: number | null;
  /** The container (or instance) runs now. */
  running: boolean;
  /** Not started yet (a created container, a Vast instance still loading): still to boot, not failed. */
  created?: boolean;
  provisioningScript: string | null;
  probe: ProbeResult | null;
  /** Other output carrying boot_default.sh's `boot: NN-x.sh` lines (the container's output; '' over SSH). */
  output: string;
  /** What the target's owner says of its state (Vast's status), shown on the first step; null: nothing. */
  note?: string | null;
}

/** The answer from a reading: the same steps and outcome rules for a run and an instance. Pure. */
export function bootProgressFrom(target: string, reading: BootReading, at: number): BootProgressData {
  const { probe } = reading;
  const stages = bootStagesIn(`${reading.output}\n${probe?.onstartLog ?? ''}`);
  const { steps, outcome } = bootSteps({ ...reading, stages });
  return {
    target,
    steps: reading.note
      ? steps.map((s) => (s.id === 'started' ? { ...s, detail: reading.note ?? null } : s))
      : steps,
    outcome,
    stages,
    provisioningLog: probe?.provisioningLog ?? '',
    onstartLog: probe?.onstartLog ?? '',
    failures: probe?.failures ?? [],
    at,
  };
}

/** Runs the fixed probe through any exec transport (docker exec, or an SSH exec channel). */
async function runBootProbe(transport: ExecTransport, signal?: AbortSignal): Promise<ProbeResult> {
  const r = await transport.exec([...BOOT_PROBE_ARGV], { timeoutMs: 5000, signal });
  return parseBootProbe(r.stdout);
}

async function containerOutput(container: Docker.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, tail: 2000 })) as unknown as Buffer;
  // Non-TTY logs are multiplexed: 8-byte frame headers before each chunk.
  const chunks: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length && (raw[i] === 1 || raw[i] === 2) && raw[i + 1] === 0) {
    const len = raw.readUInt32BE(i + 4);
    chunks.push(raw.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return (i === 0 ? raw : Buffer.concat(chunks)).toString('utf8');
}

/** Reads a local run's boot flow from its container (docker inspect, logs and one exec). */
export async function readBootProgress(
  docker: Docker,
  target: string,
  runId: string,
  signal?: AbortSignal,
): Promise<BootProgressData> {
  const container = docker.getContainer(runId);
  let info: Docker.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch (err) {
    throw new AppError('NOT_FOUND', `No local run ${runId}: it may have been removed. Start it again.`, {
      cause: String(AppError.from(err).message),
    });
  }
  const running = info.State.Running;
  const env = info.Config.Env ?? [];
  const provisioningScript =
    env.find((e) => e.startsWith('PROVISIONING_SCRIPT='))?.slice('PROVISIONING_SCRIPT='.length) || null;
  const created = info.State.Status === 'created';
  // A created container's StartedAt is the zero time (year 1): not started.
  const startedAt = created ? null : Date.parse(info.State.StartedAt) || null;
  let probe: ProbeResult | null = null;
  if (running) {
    // Stopping under us: read what the logs tell.
    probe = await runBootProbe(new DockerExecTransport(docker, info.Id), signal).catch(() => null);
  }
  const output = await containerOutput(container).catch(() => '');
  return bootProgressFrom(
    target,
    { startedAt, running, created, provisioningScript, probe, output },
    Date.now(),
  );
}

/** Vast statuses of an instance that is not running and will not start by itself. */
const STOPPED_STATUSES = new Set(['stopped', 'exited', 'offline', 'frozen', 'error']);

/**
 * A Vast instance's state as its API fields tell it. Pure. Every status that is neither running nor
 * stopped (null while provisioning, created, loading while the image is pulled, rebooting, unknown)
 * is "not started yet": still to boot, not failed. start_date is Vast's (epoch seconds; the sandbox
 * and a restart set it when the container starts).
 */
export function instanceBootState(
  instance: VastInstanceData,
): Omit<BootReading, 'probe' | 'output'> & { created: boolean } {
  const actual = instance.actual_status ?? null;
  const running = actual === 'running';
  const created = !running && !STOPPED_STATUSES.has(actual ?? '');
  const startDate = instance.start_date ?? null;
  const env = extraEnvObject(instance.extra_env);
  const said = `Vast: ${actual ?? 'provisioning'}${instance.status_msg ? ` — ${instance.status_msg}` : ''}`;
  return {
    startedAt: !created && startDate ? Math.round(startDate * 1000) : null,
    running,
    created,
    provisioningScript: env.PROVISIONING_SCRIPT || null,
    note: running ? null : created ? `Not started yet. ${said}` : said,
  };
}

/**
 * Reads a Vast instance's boot: its state and PROVISIONING_SCRIPT from the API fields, and, while it
 * runs, the same probe as a local run's over the instance's SSH. The container's own output is not
 * readable over SSH (it is the host's `docker logs`), so the boot stages come from the probe's
 * /var/log/onstart.log alone (boot_default.sh's output goes there too).
 */
export async function readInstanceBootProgress(input: {
  target: string;
  instance: VastInstanceData;
  /** An exec transport on the instance's SSH; null: told from the API alone. */
  transport: ExecTransport | null;
  signal?: AbortSignal;
  /** Told when the probe fails (the caller may forget a stale endpoint). */
  onProbeError?: (err: unknown) => void;
  now?: () => number;
}): Promise<BootProgressData> {
  const state = instanceBootState(input.instance);
  let probe: ProbeResult | null = null;
  let note = state.note ?? null;
  if (state.running && input.transport) {
    try {
      probe = await runBootProbe(input.transport, input.signal);
    } catch (err) {
      input.onProbeError?.(err);
      // Running on Vast comes before sshd answers: booting, and say why nothing more is known.
      note = `Running; SSH does not answer yet (${AppError.from(err).message}).`;
    }
  }
  return bootProgressFrom(input.target, { ...state, note, probe, output: '' }, (input.now ?? Date.now)());
}
