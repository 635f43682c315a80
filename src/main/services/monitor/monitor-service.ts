import type Docker from 'dockerode';
import type { z } from 'zod';
import type {
  FleetSnapshot,
  FleetState,
  MetricKey,
  Sample,
  Series,
  TargetStatus,
} from '../../../shared/contract/monitor';
import type { OperationSummary } from '../../../shared/contract/operations';
import type { TunnelInfo } from '../../../shared/contract/tunnels';
import { AppError } from '../../../shared/errors';
import {
  SANDBOX_CONTAINER_LABELS,
  VastClient,
  type VastClientOptions,
  type VastConnection,
  type VastInstanceData,
} from '../vast/index';
import {
  DockerExecTransport,
  SshExecTransport,
  SupervisorClient,
  type ExecTransport,
  type SshExecRunner,
} from '../supervisor/index';
import { targetKey, type ConnectionLease, type SshService, type SshTarget } from '../ssh/index';
import { RUN_LABELS } from '../launch/index';
import { readBootProgress, readInstanceBootProgress, type BootProgressData } from './boot-progress';
import { billingRate, CostTracker, localMidnightSec, storagePerHour } from './cost';
import { instanceFleetState, runFleetState, transitionOf, type FleetStateName } from './fleet-state';
import {
  countersOf,
  instanceSample,
  NVIDIA_SMI_ARGV,
  parseNvidiaSmi,
  runSample,
  type DockerStatsData,
  type StatsCounters,
} from './metrics';
import { NotificationCenter, type NotificationData, type RaiseInput } from './notification-center';
import { SeriesStore, type SampleValuesData } from './ring-buffer';
import {
  MonitorSettingsStore,
  type MonitorSettingsData,
  type MonitorSettingsPatchData,
} from './settings-store';

export type FleetSnapshotData = z.output<typeof FleetSnapshot>;
export type TargetStatusData = z.output<typeof TargetStatus>;
export type SampleData = z.output<typeof Sample>;
export type SeriesData = z.output<typeof Series>;
type OperationSummaryData = z.output<typeof OperationSummary>;
type TunnelInfoData = z.output<typeof TunnelInfo>;

/** The events this service raises, by contract name. */
export interface MonitorEvents {
  'monitor:sampled': { samples: SampleData[]; fleet: FleetSnapshotData };
  'notification:raised': NotificationData;
}
/** One event as the composition root forwards it: `emit: (e) => bus.emit(e.name, e.payload)`. */
export type MonitorEvent = {
  [K in keyof MonitorEvents]: { name: K; payload: MonitorEvents[K] };
}[keyof MonitorEvents];

/** A supervisor program's state as the runs service's status watcher (or this monitor) sees it. */
export interface ProgramState {
  name: string;
  state: string;
  error?: string | null;
  description?: string;
  skipped?: boolean;
}

export interface MonitorServiceOptions {
  /** The Vast account resolver: the stored key, else the bundled sandbox. */
  connection: () => Promise<VastConnection>;
  /** Where monitor-settings.json lives. */
  dataDir: string;
  /** The engine, for local runs (docker stats, supervisor status); null: no local runs are watched. */
  docker?: Docker | null;
  emit: (event: MonitorEvent) => void;
  /** Test hook: the poll interval in ms, instead of the settings' intervalSeconds (≥ 10 s). */
  intervalMs?: number;
  /** Points kept per series; 720 = two hours at 10 s. */
  capacity?: number;
  now?: () => number;
  vastClientOptions?: Partial<VastClientOptions>;
  /**
   * Hook for instances with a GPU: an Exec transport over SSH to run nvidia-smi on the instance.
   * Absent (or null for an instance): the API's gpu_util and vmem_usage are charted instead.
   */
  instanceExec?: (instanceId: number) => ExecTransport | null;
  /** Read supervisor status of running runs each poll (docker exec). Off when the runs service's watcher feeds onProgramStates. */
  watchRunPrograms?: boolean;
  /**
   * How a Vast instance is reached over SSH, for its boot: the app's endpoint cache (InstanceEndpoints,
   * shared with the instance inspect calls) and the SSH service. Absent: only the sandbox's container
   * instances' boots are readable.
   */
  instanceSsh?: {
    endpoints: InstanceEndpointSource;
    ssh: SshExecRunner & { pool: Pick<SshService['pool'], 'acquire'> };
  };
}

/** What the boot reader needs of InstanceEndpoints (src/main/instance-endpoints.ts). */
export interface InstanceEndpointSource {
  /** The running instance and its SSH target; AppError CONFLICT when it does not run (yet). */
  resolve(
    instanceId: number,
    signal?: AbortSignal,
  ): Promise<{ target: SshTarget; instance: VastInstanceData }>;
  forget(instanceId: number): void;
}

/** SSH failures after which the endpoint may have moved (a restart can bring other ports). */
const STALE_ENDPOINT_CODES = new Set(['SSH_CONNECT', 'SSH_HOST_KEY_MISMATCH', 'TIMEOUT']);
/**
 * A boot view reads every second while the instance boots: its SSH connection is held this long
 * after the last read, or each read would be a new handshake (a second or more via Vast's proxy).
 */
const BOOT_SSH_LINGER_MS = 15_000;
/** A not-running instance's API answer is reused this long: each is a rate-limited Vast API call. */
const NOT_RUNNING_FRESH_MS = 5_000;

interface TargetRecord {
  status: Omit<TargetStatusData, 'costSoFar' | 'costToday' | 'budgetUsd' | 'attention' | 'idleSince'>;
  /** The state at the previous poll, for transitions. */
  state: FleetStateName;
  transitions: number;
  idleSince: number | null;
  hasGpu: boolean;
}

const EMPTY_COUNTS = (): Record<FleetStateName, number> => ({
  provisioning: 0,
  loading: 0,
  running: 0,
  stopped: 0,
  failed: 0,
  unknown: 0,
});

const money = (usd: number) => `$${usd.toFixed(2)}`;

/**
 * Watches every Vast instance and local run: one instance-list call per interval (Vast rate-limits
 * the list; 500 instances are 20 pages of that one call), docker stats for runs, cost and budgets,
 * idle GPUs, and the notifications about them. Nothing here imports electron.
 */
export class MonitorService {
  readonly notifications: NotificationCenter;
  private readonly settingsStore: MonitorSettingsStore;
  private readonly series: SeriesStore;
  private readonly costs = new CostTracker();
  private readonly targets = new Map<string, TargetRecord>();
  private readonly runCounters = new Map<string, StatsCounters>();
  /** Runs whose nvidia-smi failed once: they have no GPU, do not ask again. */
  private readonly runsWithoutGpu = new Set<string>();
  private readonly programStates = new Map<string, string>();
  /** Programs whose current run of retries was already told (BACKOFF once per failure). */
  private readonly backoffTold = new Set<string>();
  /** Runs told ready since they last stopped, by the start operation or by a poll. */
  private readonly runReadyTold = new Set<string>();
  private readonly provisioning = new Map<string, string>();
  private readonly tunnelTimers = new Map<string, { since: number; timer: NodeJS.Timeout | null }>();
  /** The newest reading per target from another source (the SSH sampler of a watched instance). */
  private readonly recorded = new Map<string, SampleData>();
  /** Pooled SSH connections held for instances whose boot is being read (see BOOT_SSH_LINGER_MS). */
  private readonly bootHolds = new Map<
    number,
    { key: string; lease: ConnectionLease; timer: NodeJS.Timeout }
  >();
  /** The API's word on instances that did not run when their boot was read (NOT_RUNNING_FRESH_MS). */
  private readonly notRunning = new Map<number, { at: number; instance: VastInstanceData }>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<FleetSnapshotData> | null = null;
  private abort = new AbortController();
  private lastFleet: FleetSnapshotData;
  private vastSource: FleetSnapshotData['sources']['vast'] = { ok: true, error: null, sandbox: null };
  private runsSource: FleetSnapshotData['sources']['runs'] = { ok: true, error: null };

  constructor(private readonly options: MonitorServiceOptions) {
    this.now = options.now ?? Date.now;
    this.settingsStore = new MonitorSettingsStore(options.dataDir);
    const capacity = options.capacity ?? 720;
    // A target gone for the length of the window has nothing left to draw.
    this.series = new SeriesStore(capacity, capacity * this.intervalMs());
    this.notifications = new NotificationCenter({
      emit: (n) => options.emit({ name: 'notification:raised', payload: n }),
      isEnabled: (kind) => this.settingsStore.get().notify[kind] !== false,
      now: this.now,
    });
    this.lastFleet = this.snapshot(this.now());
  }

  intervalMs(): number {
    return this.options.intervalMs ?? this.settingsStore.get().intervalSeconds * 1000;
  }

  /** Polls now and then every interval, until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const t of this.tunnelTimers.values()) if (t.timer) clearTimeout(t.timer);
    this.tunnelTimers.clear();
    for (const id of [...this.bootHolds.keys()]) this.releaseBootHold(id);
  }

  /** The in-flight poll, or a new one: polls never overlap. */
  pollNow(): Promise<FleetSnapshotData> {
    this.inFlight ??= this.poll().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  fleet(): FleetSnapshotData {
    return this.lastFleet;
  }

  samples(input: { since: number; targets?: string[]; metrics?: MetricKey[] }): {
    at: number;
    series: SeriesData[];
  } {
    const keys = input.targets ?? this.series.targets();
    const series: SeriesData[] = [];
    for (const target of keys) {
      const ring = this.series.get(target);
      if (!ring) continue;
      const cols = ring.since(input.since, input.metrics);
      series.push({ target, at: cols.at, values: cols.values });
    }
    return { at: this.now(), series };
  }

  settings(): MonitorSettingsData {
    return this.settingsStore.get();
  }

  setSettings(patch: MonitorSettingsPatchData): MonitorSettingsData {
    const before = this.intervalMs();
    const next = this.settingsStore.update(patch);
    if (this.running && this.intervalMs() !== before) this.schedule(this.intervalMs());
    return next;
  }

  /**
   * A reading from another source (an instance's /proc over SSH while someone watches it): charted
   * at once, and laid over the API's fields in this target's polls while it is fresh.
   */
  recordSample(sample: SampleData): void {
    this.recorded.set(sample.target, sample);
    this.series.push(sample.target, sample.at, sample.values);
    this.options.emit({ name: 'monitor:sampled', payload: { samples: [sample], fleet: this.lastFleet } });
  }

  /**
   * A target's boot flow: a local run's from its container; a sandbox instance's from its container
   * too (the sandbox runs instances as local containers, and their output says more); any other Vast
   * instance's over SSH (instanceBootOverSsh).
   */
  async bootProgress(target: string): Promise<BootProgressData> {
    const docker = this.options.docker;
    const m = /^(run|instance):(.+)$/.exec(target);
    if (!m) throw new AppError('VALIDATION', 'Boot progress is read for run:<id> or instance:<id>.');
    if (m[1] === 'run') {
      if (!docker) throw new AppError('DOCKER_UNAVAILABLE', 'No Docker engine: start it to read a boot.');
      return readBootProgress(docker, target, m[2]!, this.abort.signal);
    }
    const instanceId = Number(m[2]);
    if (!/^\d+$/.test(m[2]!) || !Number.isSafeInteger(instanceId) || instanceId <= 0)
      throw new AppError('VALIDATION', `"${m[2]}" is not an instance id: read instance:<number>.`);
    // A sandbox instance is a container here; with the engine away, only a Vast instance can answer.
    let engineAway = false;
    const [container] = docker
      ? await docker
          .listContainers({
            all: true,
            filters: { label: [`${SANDBOX_CONTAINER_LABELS.instance}=${m[2]}`] },
          })
          .catch((): Docker.ContainerInfo[] => {
            engineAway = true;
            return [];
          })
      : [];
    if (container) return readBootProgress(docker!, target, container.Id, this.abort.signal);
    if (!this.options.instanceSsh) {
      if (engineAway)
        throw new AppError(
          'DOCKER_UNAVAILABLE',
          `Instance ${m[2]}'s boot cannot be read: the sandbox's instances are containers, and the Docker engine cannot be reached. Start Docker and try again.`,
        );
      throw new AppError(
        'NOT_FOUND',
        `Instance ${m[2]}'s boot cannot be read from here: only the sandbox's container instances are. On Vast, open a terminal and read /var/log/onstart.log and /var/log/portal/provisioning.log.`,
      );
    }
    return this.instanceBootOverSsh(instanceId);
  }

  /**
   * A Vast instance's boot over SSH with the same probe as a run's. An instance that does not run
   * is told from its API fields (not started yet while it loads, with Vast's status message), not
   * as an error. Public so a sandbox instance can be read this way too (its container is skipped).
   */
  async instanceBootOverSsh(instanceId: number): Promise<BootProgressData> {
    const how = this.options.instanceSsh;
    if (!how) throw new AppError('INTERNAL', 'The monitor was made without SSH to instances.');
    const target = `instance:${instanceId}`;
    const signal = this.abort.signal;
    const known = this.notRunning.get(instanceId);
    if (known && this.now() - known.at < NOT_RUNNING_FRESH_MS) {
      return readInstanceBootProgress({ target, instance: known.instance, transport: null, now: this.now });
    }
    let endpoint: Awaited<ReturnType<InstanceEndpointSource['resolve']>>;
    try {
      endpoint = await how.endpoints.resolve(instanceId, signal);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      // Not running (the endpoint cache keeps only running instances): what the API says of it.
      this.releaseBootHold(instanceId);
      const conn = await this.options.connection();
      const client = new VastClient({
        ...this.options.vastClientOptions,
        apiKey: conn.apiKey,
        baseUrl: conn.baseUrl,
      });
      const instance = await client.getInstance(instanceId, signal);
      if (instance.actual_status !== 'running') this.notRunning.set(instanceId, { at: this.now(), instance });
      return readInstanceBootProgress({ target, instance, transport: null, now: this.now });
    }
    this.notRunning.delete(instanceId);
    this.holdBootConnection(instanceId, endpoint.target);
    return readInstanceBootProgress({
      target,
      instance: endpoint.instance,
      transport: new SshExecTransport(how.ssh, endpoint.target),
      signal,
      now: this.now,
      onProbeError: (err) => {
        if (!(err instanceof AppError && STALE_ENDPOINT_CODES.has(err.code))) return;
        how.endpoints.forget(instanceId);
        // A link that failed may be dead without knowing it: the next read makes a fresh one.
        this.releaseBootHold(instanceId);
      },
    });
  }

  /** Holds the instance's pooled SSH connection until BOOT_SSH_LINGER_MS after the last read. */
  private holdBootConnection(instanceId: number, target: SshTarget): void {
    const pool = this.options.instanceSsh?.ssh.pool;
    if (!pool) return;
    const key = targetKey(target);
    const linger = () => {
      const timer = setTimeout(() => this.releaseBootHold(instanceId), BOOT_SSH_LINGER_MS);
      timer.unref?.();
      return timer;
    };
    const held = this.bootHolds.get(instanceId);
    // A held link that lost its peer retries on its own schedule and would keep this read waiting
    // until its deadline: a fresh one says at once whether the instance answers.
    const live = held?.lease.connection.state !== 'retrying' && held?.lease.connection.state !== 'failed';
    if (held?.key === key && live) {
      clearTimeout(held.timer);
      held.timer = linger();
      return;
    }
    // The endpoint moved (a restart on other ports) or the link is down: let the old connection go.
    this.releaseBootHold(instanceId);
    this.bootHolds.set(instanceId, { key, lease: pool.acquire(target), timer: linger() });
  }

  private releaseBootHold(instanceId: number): void {
    const held = this.bootHolds.get(instanceId);
    if (!held) return;
    clearTimeout(held.timer);
    held.lease.release();
    this.bootHolds.delete(instanceId);
  }

  /** Feed of operation:stateChanged: builds finished or failed, runs ready or failed. */
  onOperationStateChanged(op: OperationSummaryData): void {
    if (op.state === 'running' || op.state === 'cancelled') return;
    const ok = op.state === 'succeeded';
    if (op.kind === 'build') {
      this.raise({
        kind: ok ? 'build-finished' : 'build-failed',
        key: `op:${op.id}:${op.state}`,
        severity: ok ? 'success' : 'error',
        title: ok ? 'Build finished' : 'Build failed',
        body: ok ? op.title : `${op.title}: ${op.error?.message ?? 'see the log'}`,
        target: { view: 'builds', id: op.id, anchor: `build-${op.id}` },
      });
    } else if (op.kind === 'run') {
      const run = (op.result as { run?: { id?: string; name?: string } } | undefined)?.run;
      // The poll may have told "is running" already: one notification for one start.
      if (ok && run?.id && this.runReadyTold.has(run.id)) return;
      if (ok && run?.id) this.runReadyTold.add(run.id);
      this.raise({
        kind: ok ? 'run-ready' : 'run-failed',
        key: `op:${op.id}:${op.state}`,
        severity: ok ? 'success' : 'error',
        title: ok
          ? run?.name
            ? `Run ${run.name} is ready`
            : 'A local run is ready'
          : 'A local run failed to start',
        body: ok ? op.title : `${op.title}: ${op.error?.message ?? 'see its log'}`,
        target: { view: 'runs', id: run?.id ?? op.id },
      });
    }
  }

  /** Feed of tunnel:stateChanged: a tunnel down for tunnelDownSeconds and not back raises once. */
  onTunnelStateChanged(t: TunnelInfoData): void {
    const down = t.state === 'retrying' || t.state === 'failed';
    const tracked = this.tunnelTimers.get(t.id);
    if (!down) {
      if (tracked?.timer) clearTimeout(tracked.timer);
      this.tunnelTimers.delete(t.id);
      return;
    }
    if (tracked) return;
    const since = this.now();
    const entry = { since, timer: null as NodeJS.Timeout | null };
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (this.tunnelTimers.get(t.id) !== entry) return;
      const where = `127.0.0.1:${t.localPort ?? t.requestedLocalPort} → ${t.remoteHost}:${t.remotePort}`;
      this.raise({
        kind: 'tunnel-down',
        key: `tunnel:${t.id}:${since}`,
        severity: 'warning',
        title: 'A tunnel is down',
        body: `${where} has been down for ${this.settingsStore.get().tunnelDownSeconds} s${t.error ? `: ${t.error.message}` : ''}.`,
        target: { view: 'tunnels', id: t.id, anchor: `tunnel-${t.id}` },
      });
    }, this.settingsStore.get().tunnelDownSeconds * 1000);
    entry.timer.unref?.();
    this.tunnelTimers.set(t.id, entry);
  }

  /**
   * Feed of supervisor status for a run (the runs service's status watcher, or this monitor's own
   * poll): a program entering BACKOFF or FATAL raises once per entry; provisioning ending too.
   */
  onProgramStates(runId: string, runName: string, programs: ProgramState[], provisioning?: string): void {
    for (const p of programs) {
      const key = `${runId}/${p.name}`;
      const before = this.programStates.get(key);
      this.programStates.set(key, p.state);
      if (p.skipped || before === p.state) continue;
      // supervisord cycles BACKOFF -> STARTING -> BACKOFF on each retry: one warning per failure,
      // until the program runs again (or stops); FATAL, its end, is always told.
      if (p.state === 'BACKOFF') {
        if (this.backoffTold.has(key)) continue;
        this.backoffTold.add(key);
      } else if (p.state !== 'STARTING' && p.state !== 'FATAL') {
        this.backoffTold.delete(key);
      }
      if (p.state === 'BACKOFF' || p.state === 'FATAL') {
        this.raise({
          kind: 'program-failed',
          key: `program:${key}:${p.state}:${this.now()}`,
          severity: p.state === 'FATAL' ? 'error' : 'warning',
          title: `${p.name} is ${p.state} in ${runName}`,
          body: p.error ?? p.description ?? 'The program keeps exiting; its log says why.',
          target: { view: 'runs', id: runId, anchor: `program-log-${p.name}` },
        });
      }
    }
    if (provisioning !== undefined) {
      const before = this.provisioning.get(runId);
      this.provisioning.set(runId, provisioning);
      if (before === 'running' && (provisioning === 'complete' || provisioning === 'failed')) {
        const ok = provisioning === 'complete';
        this.raise({
          kind: ok ? 'provisioning-finished' : 'provisioning-failed',
          key: `provisioning:${runId}:${provisioning}:${this.now()}`,
          severity: ok ? 'success' : 'error',
          title: ok ? `Provisioning finished in ${runName}` : `Provisioning failed in ${runName}`,
          body: ok ? 'PROVISIONING_SCRIPT ran to the end.' : 'See /var/log/portal/provisioning.log.',
          target: { view: 'runs', id: runId, anchor: 'provisioning-log' },
        });
      }
    }
  }

  private raise(input: RaiseInput): void {
    this.notifications.raise(input);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pollNow()
        .catch(() => undefined)
        .finally(() => {
          if (this.running && !this.timer) this.schedule(this.intervalMs());
        });
    }, delayMs);
    this.timer.unref?.();
  }

  private async poll(): Promise<FleetSnapshotData> {
    const samples: SampleData[] = [];
    const settings = this.settingsStore.get();
    await Promise.all([this.pollVast(samples, settings), this.pollRuns(samples, settings)]);
    const at = this.now();
    for (const s of samples) this.series.push(s.target, s.at, s.values);
    this.series.prune(at);
    this.costs.prune(localMidnightSec(at) - 86_400);
    const fleet = this.snapshot(at);
    this.checkBudgets(fleet, settings);
    this.lastFleet = fleet;
    this.options.emit({ name: 'monitor:sampled', payload: { samples, fleet } });
    return fleet;
  }

  private async pollVast(samples: SampleData[], settings: MonitorSettingsData): Promise<void> {
    let list: VastInstanceData[];
    try {
      const conn = await this.options.connection();
      const client = new VastClient({
        ...this.options.vastClientOptions,
        apiKey: conn.apiKey,
        baseUrl: conn.baseUrl,
      });
      list = await client.listInstances({ signal: this.abort.signal });
      this.vastSource = { ok: true, error: null, sandbox: conn.sandbox };
    } catch (err) {
      // The rows of the last good poll stay; the overview says the list is stale and why.
      this.vastSource = { ...this.vastSource, ok: false, error: AppError.from(err).message };
      return;
    }
    const at = this.now();
    const seen = new Set<string>();
    await Promise.all(
      list.map(async (i) => {
        const key = `instance:${i.id}`;
        seen.add(key);
        const raw = i as unknown as Record<string, unknown>;
        const state = instanceFleetState(i);
        const rate = billingRate({
          actualStatus: i.actual_status ?? null,
          intendedStatus: i.intended_status ?? null,
          dphTotal: i.dph_total,
          storagePerHour: storagePerHour(i.storage_cost, i.disk_space),
        });
        this.costs.observe(String(i.id), { rate, startDate: i.start_date ?? null }, at / 1000);
        let values = instanceSample(raw);
        const recorded = this.recorded.get(key);
        if (recorded && at - recorded.at < 2 * this.intervalMs()) values = { ...values, ...recorded.values };
        else this.recorded.delete(key);
        if (state === 'running' && this.options.instanceExec) {
          const probed = await this.probeGpu(this.options.instanceExec(i.id));
          if (probed) values = { ...values, ...probed };
        }
        this.observeTarget(key, {
          status: {
            key,
            kind: 'instance',
            id: String(i.id),
            name: i.label || `instance ${i.id}`,
            state,
            rawState: i.actual_status ?? 'provisioning',
            statusMsg: i.status_msg ?? null,
            gpuName: i.gpu_name ? `${i.num_gpus ?? 1}× ${i.gpu_name}` : null,
            dphTotal: i.dph_total ?? null,
            ratePerHour: rate,
            latest: Object.keys(values).length ? values : null,
          },
          hasGpu: (i.num_gpus ?? 0) > 0,
          values,
          at,
          settings,
        });
        if (state === 'running') samples.push({ target: key, at, values });
      }),
    );
    for (const [key, rec] of this.targets) {
      if (rec.status.kind !== 'instance' || seen.has(key)) continue;
      this.targets.delete(key);
      this.costs.gone(rec.status.id, at / 1000);
    }
  }

  private async pollRuns(samples: SampleData[], settings: MonitorSettingsData): Promise<void> {
    const docker = this.options.docker;
    if (!docker) return;
    let containers: Docker.ContainerInfo[];
    try {
      // A sandbox instance's container is a run underneath; it is watched (and counted) as an instance.
      containers = (
        await docker.listContainers({ all: true, filters: { label: [`${RUN_LABELS.run}=1`] } })
      ).filter((c) => c.Labels?.[SANDBOX_CONTAINER_LABELS.sandbox] !== '1');
      this.runsSource = { ok: true, error: null };
    } catch (err) {
      this.runsSource = { ok: false, error: AppError.from(err).message };
      return;
    }
    const seen = new Set<string>();
    await Promise.all(
      containers.map(async (c) => {
        const id = c.Id.slice(0, 12);
        const key = `run:${id}`;
        seen.add(key);
        const name = (c.Names[0] ?? id).replace(/^\//, '');
        const state = runFleetState(c.State, c.Status);
        const cpuOnly = c.Labels[RUN_LABELS.cpuOnly] === '1' || c.Labels[RUN_LABELS.cpuOnly] === 'true';
        let values: SampleValuesData = {};
        if (c.State === 'running') {
          values = await this.runStats(docker, c.Id, id);
          if (!cpuOnly && !this.runsWithoutGpu.has(id)) {
            const gpu = await this.probeGpu(new DockerExecTransport(docker, c.Id));
            if (gpu) values = { ...values, ...gpu };
            else this.runsWithoutGpu.add(id);
          }
          if (this.options.watchRunPrograms !== false) await this.readPrograms(docker, c.Id, id, name);
        }
        const at = this.now();
        this.observeTarget(key, {
          status: {
            key,
            kind: 'run',
            id,
            name,
            state,
            rawState: c.State,
            statusMsg: c.Status,
            gpuName: null,
            dphTotal: null,
            ratePerHour: 0,
            latest: Object.keys(values).length ? values : null,
          },
          hasGpu: !cpuOnly && !this.runsWithoutGpu.has(id),
          values,
          at,
          settings,
        });
        if (c.State === 'running') samples.push({ target: key, at, values });
      }),
    );
    for (const [key, rec] of this.targets) {
      if (rec.status.kind !== 'run' || seen.has(key)) continue;
      this.targets.delete(key);
      this.runCounters.delete(rec.status.id);
    }
  }

  private async runStats(docker: Docker, containerId: string, id: string): Promise<SampleValuesData> {
    try {
      // one-shot: no second sample inside the daemon (a second each); rates come from our own polls.
      const stats = (await docker
        .getContainer(containerId)
        .stats({ stream: false, 'one-shot': true })) as DockerStatsData;
      const counters = countersOf(stats, this.now());
      const values = runSample(stats, counters, this.runCounters.get(id) ?? null);
      this.runCounters.set(id, counters);
      return values;
    } catch {
      return {};
    }
  }

  private async probeGpu(transport: ExecTransport | null): Promise<SampleValuesData | null> {
    if (!transport) return null;
    try {
      const r = await transport.exec([...NVIDIA_SMI_ARGV], { timeoutMs: 5000, signal: this.abort.signal });
      if (r.exitCode !== 0) return null;
      const parsed = parseNvidiaSmi(r.stdout);
      return parsed ? { gpuUtil: parsed.gpuUtil, gpuMem: parsed.gpuMem } : null;
    } catch {
      return null;
    }
  }

  private async readPrograms(docker: Docker, containerId: string, id: string, name: string): Promise<void> {
    try {
      const snap = await new SupervisorClient(new DockerExecTransport(docker, containerId)).snapshot(
        AbortSignal.any([this.abort.signal, AbortSignal.timeout(5000)]),
      );
      if (snap.supervisord !== 'running') return;
      this.onProgramStates(
        id,
        name,
        snap.programs.map((p) => ({
          name: p.name,
          state: p.state,
          description: p.description,
          skipped: p.skipped,
        })),
        snap.provisioning,
      );
    } catch {
      // A container stopping under us: the next poll sees it stopped.
    }
  }

  private observeTarget(
    key: string,
    input: {
      status: TargetRecord['status'];
      hasGpu: boolean;
      values: SampleValuesData;
      at: number;
      settings: MonitorSettingsData;
    },
  ): void {
    const prev = this.targets.get(key);
    const rec: TargetRecord = prev ?? {
      status: input.status,
      state: input.status.state,
      transitions: 0,
      idleSince: null,
      hasGpu: input.hasGpu,
    };
    const transition = transitionOf(prev?.state, input.status.state);
    rec.status = input.status;
    rec.state = input.status.state;
    rec.hasGpu = input.hasGpu;
    if (transition) {
      rec.transitions++;
      this.raiseTransition(rec, transition);
    }
    // Idle: a running target whose GPU reads under the threshold, continuously.
    const util = input.values.gpuUtil;
    if (rec.state !== 'running' || util === undefined || util >= input.settings.idle.gpuUtilBelow) {
      rec.idleSince = null;
    } else {
      rec.idleSince ??= input.at;
      if (
        input.at - rec.idleSince >= input.settings.idle.forMinutes * 60_000 &&
        rec.status.kind === 'instance'
      ) {
        this.raise({
          kind: 'instance-idle',
          key: `idle:${key}:${rec.idleSince}`,
          severity: 'warning',
          title: `${rec.status.name} looks idle`,
          body: `Its GPU has been under ${input.settings.idle.gpuUtilBelow} % for ${input.settings.idle.forMinutes} min at ${money(rec.status.ratePerHour)}/h. Stop it to pay only for storage.`,
          target: { view: 'vast', id: rec.status.id, anchor: `instance-${rec.status.id}` },
        });
      }
    }
    this.targets.set(key, rec);
  }

  private raiseTransition(rec: TargetRecord, t: 'ready' | 'stopped' | 'failed'): void {
    const s = rec.status;
    const instance = s.kind === 'instance';
    const kind = `${instance ? 'instance' : 'run'}-${t}` as RaiseInput['kind'];
    const words = { ready: 'is running', stopped: 'stopped', failed: 'failed' }[t];
    if (!instance) {
      // A run the app started is told ready by its start operation; the poll only tells the others.
      if (t === 'ready' && this.runReadyTold.has(s.id)) return;
      if (t === 'ready') this.runReadyTold.add(s.id);
      else this.runReadyTold.delete(s.id);
    }
    this.raise({
      kind,
      key: `${s.key}:${t}:${rec.transitions}`,
      severity: t === 'failed' ? 'error' : t === 'ready' ? 'success' : 'info',
      title: `${instance ? 'Instance' : 'Run'} ${s.name} ${words}`,
      body: s.statusMsg ?? s.rawState,
      target: instance
        ? { view: 'vast', id: s.id, anchor: `instance-${s.id}` }
        : { view: 'runs', id: s.id, anchor: `run-${s.id}` },
    });
  }

  private checkBudgets(fleet: FleetSnapshotData, settings: MonitorSettingsData): void {
    const { perInstanceUsd, totalUsd, dailyUsd } = settings.budgets;
    for (const t of fleet.targets) {
      if (perInstanceUsd === null || t.costSoFar === null || t.costSoFar <= perInstanceUsd) continue;
      this.raise({
        kind: 'budget-crossed',
        key: `budget:${t.key}:${perInstanceUsd}`,
        severity: 'warning',
        title: `${t.name} passed its budget`,
        body: `It has cost about ${money(t.costSoFar)}, over the ${money(perInstanceUsd)} per instance.`,
        target: { view: 'vast', id: t.id, anchor: `instance-${t.id}` },
      });
    }
    if (totalUsd !== null && fleet.totalCostSoFar > totalUsd) {
      this.raise({
        kind: 'budget-crossed',
        key: `budget:total:${totalUsd}`,
        severity: 'warning',
        title: 'The total budget is crossed',
        body: `Your instances have cost about ${money(fleet.totalCostSoFar)}, over ${money(totalUsd)}.`,
        target: { view: 'monitor', anchor: 'fleet-budgets' },
      });
    }
    if (dailyUsd !== null && fleet.spendToday > dailyUsd) {
      const day = new Date(localMidnightSec(fleet.at) * 1000).toDateString();
      this.raise({
        kind: 'budget-crossed',
        key: `budget:daily:${day}:${dailyUsd}`,
        severity: 'warning',
        title: 'Today’s budget is crossed',
        body: `About ${money(fleet.spendToday)} spent today, over ${money(dailyUsd)}.`,
        target: { view: 'monitor', anchor: 'fleet-budgets' },
      });
    }
  }

  private snapshot(at: number): FleetSnapshotData {
    const settings = this.settingsStore.get();
    const nowSec = at / 1000;
    const midnight = localMidnightSec(at);
    const counts = EMPTY_COUNTS();
    const targets: TargetStatusData[] = [];
    let totalPerHour = 0;
    let totalCostSoFar = 0;
    const idleMs = settings.idle.forMinutes * 60_000;
    for (const rec of this.targets.values()) {
      const s = rec.status;
      const instance = s.kind === 'instance';
      const costSoFar = instance ? this.costs.costSoFar(s.id, nowSec) : null;
      const costToday = instance ? this.costs.costSince(s.id, midnight, nowSec) : null;
      const budgetUsd = instance ? settings.budgets.perInstanceUsd : null;
      const attention: TargetStatusData['attention'] = [];
      if (s.state === 'failed') attention.push('failed');
      if (budgetUsd !== null && costSoFar !== null && costSoFar > budgetUsd) attention.push('over-budget');
      if (rec.idleSince !== null && at - rec.idleSince >= idleMs) attention.push('idle');
      counts[s.state as z.output<typeof FleetState>]++;
      totalPerHour += s.ratePerHour;
      totalCostSoFar += costSoFar ?? 0;
      targets.push({ ...s, costSoFar, costToday, budgetUsd, idleSince: rec.idleSince, attention });
    }
    const spendToday = this.costs.spendSince(midnight, nowSec);
    return {
      at,
      intervalMs: this.intervalMs(),
      targets,
      counts,
      totalPerHour,
      totalCostSoFar,
      spendToday,
      budgets: {
        totalUsd: settings.budgets.totalUsd,
        dailyUsd: settings.budgets.dailyUsd,
        totalExceeded: settings.budgets.totalUsd !== null && totalCostSoFar > settings.budgets.totalUsd,
        dailyExceeded: settings.budgets.dailyUsd !== null && spendToday > settings.budgets.dailyUsd,
      },
      sources: { vast: this.vastSource, runs: this.runsSource },
    };
  }
}
