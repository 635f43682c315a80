import { z } from 'zod';
import { call, Done, event, NoInput } from './kit';

/**
 * The monitor domain: utilisation over time for every Vast instance and local run, cost and budgets,
 * idle detection, and the notifications main raises about what matters (builds, instances, runs,
 * supervisor programs, tunnels, budgets). Main polls (one instance-list call per interval); the
 * renderer reads series with `monitor:samples` once and then follows `monitor:sampled`.
 */

/**
 * The series kept per target. Units: `gpuUtil`, `gpuMem`, `cpu`, `mem` and `disk` are percent
 * (0–100); `netRx` and `netTx` are bytes per second.
 */
export const METRICS = ['gpuUtil', 'gpuMem', 'cpu', 'mem', 'disk', 'netRx', 'netTx'] as const;
export const MetricName = z.enum(METRICS);
export type MetricKey = (typeof METRICS)[number];

/** One poll's reading of one target; a metric the source cannot tell is absent. */
export const SampleValues = z.object({
  gpuUtil: z.number().optional(),
  gpuMem: z.number().optional(),
  cpu: z.number().optional(),
  mem: z.number().optional(),
  disk: z.number().optional(),
  netRx: z.number().optional(),
  netTx: z.number().optional(),
});

/** `instance:<vast id>` or `run:<run id>`: the key every series, row and notification uses. */
export const TargetKey = z
  .string()
  .min(3)
  .max(160)
  .regex(/^(instance|run):[A-Za-z0-9_.-]+$/, 'a target key (instance:<id> or run:<id>)');

export const Sample = z.object({ target: TargetKey, at: z.number(), values: SampleValues });

/** A target's series since a time, column-wise (what uPlot draws): `at[i]` goes with `values[m][i]`. */
export const Series = z.object({
  target: TargetKey,
  /** Milliseconds since the epoch, ascending. */
  at: z.array(z.number()),
  values: z.partialRecord(MetricName, z.array(z.number().nullable())),
});

/** A state every kind of target maps to, so the overview can count them together. */
export const FleetState = z.enum(['provisioning', 'loading', 'running', 'stopped', 'failed', 'unknown']);

/** Why a target is listed among those that need attention first. */
export const AttentionReason = z.enum(['failed', 'over-budget', 'idle']);

/** One instance or run as the overview shows it. */
export const TargetStatus = z.object({
  key: TargetKey,
  kind: z.enum(['instance', 'run']),
  /** The Vast instance id or the run id. */
  id: z.string(),
  name: z.string(),
  state: FleetState,
  /** The source's own words (`actual_status`, the engine state). */
  rawState: z.string(),
  statusMsg: z.string().nullable(),
  gpuName: z.string().nullable(),
  /** The price while running, $/h (null for local runs). */
  dphTotal: z.number().nullable(),
  /** What it costs right now, $/h: the price while running, the disk's storage charge while stopped. */
  ratePerHour: z.number(),
  /** Estimated cost since it started, stopped periods at the storage rate (null for local runs). */
  costSoFar: z.number().nullable(),
  /** The part of costSoFar spent since local midnight. */
  costToday: z.number().nullable(),
  /** The per-instance budget in force, $ (null: none). */
  budgetUsd: z.number().nullable(),
  /** Epoch ms since the GPU has been under the idle threshold; null when busy or unknown. */
  idleSince: z.number().nullable(),
  attention: z.array(AttentionReason),
  /** The newest reading. */
  latest: SampleValues.nullable(),
});

export const FleetSnapshot = z.object({
  /** When this poll ended (epoch ms). */
  at: z.number(),
  intervalMs: z.number().int(),
  targets: z.array(TargetStatus),
  counts: z.record(FleetState, z.number().int().nonnegative()),
  /** Sum of ratePerHour over every target, $/h. */
  totalPerHour: z.number(),
  /** Sum of costSoFar, $. */
  totalCostSoFar: z.number(),
  /** Spent since local midnight (main's clock), destroyed instances included, $. */
  spendToday: z.number(),
  budgets: z.object({
    totalUsd: z.number().nullable(),
    dailyUsd: z.number().nullable(),
    totalExceeded: z.boolean(),
    dailyExceeded: z.boolean(),
  }),
  /** Each source's last poll: an error here leaves the previous rows in place. */
  sources: z.object({
    vast: z.object({ ok: z.boolean(), error: z.string().nullable(), sandbox: z.boolean().nullable() }),
    runs: z.object({ ok: z.boolean(), error: z.string().nullable() }),
  }),
});

/** One step of Vast's boot flow, as it passes in a container. */
export const BootStep = z.object({
  id: z.enum(['started', 'onstart', 'boot-stages', 'supervisor', 'provisioning', 'ready']),
  label: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  /** Epoch ms when it was seen to pass (a marker file's time), when known. */
  at: z.number().nullable(),
  detail: z.string().nullable(),
});

/** A run's boot as read from inside its container: the steps, the logs, and how it ended. */
export const BootProgress = z.object({
  target: z.string(),
  steps: z.array(BootStep),
  /**
   * booting until supervisord runs and /.provisioning is gone; stopped when the container (or the
   * instance) is not running: a user's stop is not a boot failure, and the steps say what finished.
   */
  outcome: z.enum(['booting', 'ready', 'ready-with-failures', 'stopped']),
  /** The boot stages (/etc/vast_boot.d) seen in the container's output, in order. */
  stages: z.array(z.string()),
  /** The tail of /var/log/portal/provisioning.log (the PROVISIONING_SCRIPT's output). */
  provisioningLog: z.string(),
  /** The tail of /var/log/onstart.log. */
  onstartLog: z.string(),
  /** Lines of /var/log/vast_boot_failures: stages that failed (the boot goes on after them). */
  failures: z.array(z.string()),
  at: z.number(),
});

export const NOTIFICATION_KINDS = [
  'build-finished',
  'build-failed',
  'instance-ready',
  'instance-stopped',
  'instance-failed',
  'run-ready',
  'run-stopped',
  'run-failed',
  'program-failed',
  'provisioning-finished',
  'provisioning-failed',
  'tunnel-down',
  'budget-crossed',
  'instance-idle',
] as const;
export const NotificationKind = z.enum(NOTIFICATION_KINDS);

/** Where a notification leads: a view of the app, and something in it. */
export const NotificationTarget = z.object({
  /** A view id: `builds`, `vast`, `runs`, `tunnels`, `monitor`. */
  view: z.string().min(1).max(40),
  /** The thing in that view (a build id, an instance id…). */
  id: z.string().max(200).optional(),
  /** An element id to scroll to once the view is shown. */
  anchor: z.string().max(200).optional(),
});

export const Notification = z.object({
  id: z.string(),
  kind: NotificationKind,
  severity: z.enum(['info', 'success', 'warning', 'error']),
  title: z.string(),
  body: z.string(),
  target: NotificationTarget,
  /** Epoch ms. */
  at: z.number(),
});

const Usd = z.number().nonnegative().max(1_000_000).nullable();

export const MonitorSettings = z.object({
  /** Seconds between polls; Vast asks clients not to list instances more often than every 10 s. */
  intervalSeconds: z.number().int().min(10).max(3600),
  budgets: z.object({
    /** Warn when one instance has cost more than this, $. */
    perInstanceUsd: Usd,
    /** Warn when all instances together have cost more than this, $. */
    totalUsd: Usd,
    /** Warn when today's spend passes this, $. */
    dailyUsd: Usd,
  }),
  idle: z.object({
    /** A GPU under this utilisation (percent) counts as idle… */
    gpuUtilBelow: z.number().min(0).max(100),
    /** …once it has stayed there this long. */
    forMinutes: z
      .number()
      .min(1)
      .max(24 * 60),
  }),
  /** A tunnel that stays down this long raises a notification. */
  tunnelDownSeconds: z.number().int().min(1).max(3600),
  /** Each kind on or off. */
  notify: z.record(NotificationKind, z.boolean()),
});

/** A change to the settings: any part, merged into what is stored. */
export const MonitorSettingsPatch = z
  .object({
    intervalSeconds: MonitorSettings.shape.intervalSeconds.optional(),
    budgets: MonitorSettings.shape.budgets.partial().strict().optional(),
    idle: MonitorSettings.shape.idle.partial().strict().optional(),
    tunnelDownSeconds: MonitorSettings.shape.tunnelDownSeconds.optional(),
    notify: z.partialRecord(NotificationKind, z.boolean()).optional(),
  })
  .strict();

export const monitorCalls = {
  'monitor:fleet': call(NoInput, FleetSnapshot, 'The overview as of the last poll.'),
  'monitor:samples': call(
    z
      .object({
        /** Epoch ms; only points after it. 0 for everything kept. */
        since: z.number().nonnegative().default(0),
        /** Only these targets; every target when absent. */
        targets: z.array(TargetKey).max(1000).optional(),
        metrics: z.array(MetricName).optional(),
      })
      .strict(),
    z.object({ at: z.number(), series: z.array(Series) }),
    'The kept series (bounded: the last two hours at the default interval) since a time.',
  ),
  'monitor:pollNow': call(NoInput, FleetSnapshot, 'Poll now instead of waiting for the next interval.'),
  'monitor:settings': call(
    NoInput,
    MonitorSettings,
    'Budgets, idle threshold, interval and notification switches.',
  ),
  'monitor:setSettings': call(
    MonitorSettingsPatch,
    MonitorSettings,
    'Change the settings; stored in the data dir.',
  ),
  'monitor:bootProgress': call(
    z.object({ target: TargetKey }).strict(),
    BootProgress,
    "The boot flow (onstart, boot stages, supervisord, PROVISIONING_SCRIPT) of a local run or a sandbox instance, read from its container, or of a Vast instance, read over SSH (a stopped or loading instance: from the API's status).",
  ),
  'notifications:list': call(
    NoInput,
    z.array(Notification),
    'The recent notifications (bounded), newest first, for a view that was not listening.',
  ),
  'notifications:test': call(
    z.object({ kind: NotificationKind.default('build-finished') }).strict(),
    Done,
    'Raise a sample notification of a kind, to try the settings and the OS notifications.',
  ),
} as const;

export const monitorEvents = {
  'monitor:sampled': event(
    z.object({ samples: z.array(Sample), fleet: FleetSnapshot }),
    'One poll: every target’s new reading and the overview, batched.',
  ),
  'notification:raised': event(Notification, 'Something the user should hear about happened, once.'),
  'notification:opened': event(
    Notification,
    'The user clicked the OS notification (desktop app): the window shows its place.',
  ),
} as const;
