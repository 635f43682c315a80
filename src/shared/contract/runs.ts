import { z } from 'zod';
import { call, Done, event, NoInput } from './kit';

/** How Vast launches an instance (runtype): ssh and jupyter replace the ENTRYPOINT with /.launch; args keeps it. */
export const RunMode = z.enum(['ssh', 'jupyter', 'args']);

/** A run's container state, in the engine's words. */
export const RunState = z.enum(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']);

/** Where to SSH into a run: `ssh -i <identityFile> -p <port> <user>@<host>`. */
export const RunSsh = z.object({
  host: z.string(),
  port: z.number().int().positive(),
  user: z.string(),
  identityFile: z.string(),
});

/** The host folder or named volume mounted at a run's WORKSPACE, so its data outlives the container. */
export const RunWorkspace = z.object({
  kind: z.enum(['host', 'volume']),
  /** The host folder (on the engine's machine) or the volume's name. */
  source: z.string(),
  /** WORKSPACE inside the container (the image's ENV WORKSPACE, default /workspace). */
  target: z.string(),
  /** What happened to the host user's ACL: `applied for uid 1000`, `skipped: a named volume`… */
  acl: z.string(),
});

/** A local run: a container labelled `tstudio.run=1`, found again after the app restarts. */
export const Run = z.object({
  /** The container id's first 12 characters. */
  id: z.string(),
  containerId: z.string(),
  name: z.string(),
  mode: RunMode,
  image: z.string(),
  /** The template folder or image the run came from. */
  source: z.string(),
  /** The templates/<name> used, when the source is a folder. */
  template: z.string().nullable(),
  /** CONTAINER_ID inside the run. */
  instanceId: z.number().int(),
  /** `C.<instanceId>`, as VAST_CONTAINERLABEL. */
  containerLabel: z.string(),
  state: RunState,
  status: z.string(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  uptimeSeconds: z.number().int().nullable(),
  /** `{"22/tcp": 32801}`: host port (on 127.0.0.1) per requested port. */
  ports: z.record(z.string(), z.number().int()),
  /** Null in args mode (Vast starts no sshd there). */
  ssh: RunSsh.nullable(),
  /** True when no GPU was passed through (GPU_COUNT=0). */
  cpuOnly: z.boolean(),
  /** Made by a smoke and removed by it. */
  ephemeral: z.boolean(),
  /** The workspace mounted at WORKSPACE; null when the run has none. */
  workspace: RunWorkspace.nullable().optional(),
  /** From create to ready, when this machine's app or CLI started it and saw it ready. */
  readyMs: z.number().nullable().optional(),
});

export const RunLimits = z
  .object({
    /** CPUs, fractional allowed. */
    cpus: z.number().positive().max(1024).optional(),
    memoryBytes: z.number().int().positive().optional(),
    /** /dev/shm size. */
    shmBytes: z.number().int().positive().optional(),
    /** Applied only where the storage driver supports it; a warning says so otherwise. */
    diskGb: z.number().positive().max(100_000).optional(),
  })
  .strict();

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const RunStartInput = z
  .object({
    /** A template folder (absolute path) or an image reference. */
    source: z.string().min(1).max(4096),
    mode: RunMode.default('ssh'),
    /** templates/<name>, when the folder holds several. */
    template: z.string().min(1).max(200).optional(),
    /** args mode only: replaces the image's CMD. */
    args: z.array(z.string().max(10_000)).max(200).optional(),
    env: z.record(EnvName, z.string().max(100_000)).optional(),
    /** Extra ports to request: `8000`, `9000/udp`, `70000`. */
    ports: z.array(z.string().max(40)).max(64).optional(),
    /** Fixed host ports, `{"8000/tcp": 8000}`; the rest are chosen free. */
    hostPorts: z.record(z.string().max(40), z.number().int().min(1).max(65_535)).optional(),
    limits: RunLimits.optional(),
    /** `if-missing` builds a template's image only when the engine lacks it. */
    build: z.enum(['if-missing', 'always', 'never']).default('if-missing'),
    readyTimeoutSeconds: z.number().int().min(5).max(3600).default(180),
    /**
     * Mounted at the image's WORKSPACE and remembered for the template: an absolute folder path or
     * `volume:NAME`; `none` mounts nothing and forgets the choice; left out, the template's remembered
     * choice (if any) is used.
     */
    workspace: z
      .string()
      .min(1)
      .max(4096)
      .refine((v) => v === 'none' || v.startsWith('volume:') || v.startsWith('/'), {
        message: 'an absolute folder path, volume:NAME or none',
      })
      .optional(),
  })
  .strict();

/** The result of a `runs:start` operation. */
export const RunReady = z.object({
  run: Run,
  /** From create to ready (an SSH handshake succeeds and /.provisioning is gone). */
  readyMs: z.number(),
  buildMs: z.number().nullable(),
  warnings: z.array(z.string()),
});

export const SupervisorStateName = z.enum([
  'STOPPED',
  'STARTING',
  'RUNNING',
  'BACKOFF',
  'STOPPING',
  'EXITED',
  'FATAL',
  'UNKNOWN',
]);

/** One supervisor program, exactly as `supervisorctl status` prints it, plus its skip marker. */
export const ProgramStatus = z.object({
  /** `name`, or `group:name`. */
  namespec: z.string(),
  group: z.string().nullable(),
  name: z.string(),
  state: SupervisorStateName,
  /** The description column as printed: `pid 41, uptime 0:00:13`, `Not started`, the error text… */
  description: z.string(),
  pid: z.number().int().nullable(),
  uptimeSeconds: z.number().int().nullable(),
  error: z.string().nullable(),
  /** /tmp/supervisor-skip/<name> exists: left out of PORTAL_CONFIG on purpose, not failed. */
  skipped: z.boolean(),
});

export const ProvisioningState = z.enum(['running', 'complete', 'failed', 'none']);

export const SupervisorSnapshot = z.object({
  supervisord: z.enum(['running', 'unreachable', 'absent']),
  programs: z.array(ProgramStatus),
  provisioning: ProvisioningState,
  /** supervisorctl lines that were not understood, shown as they are. */
  unparsed: z.array(z.string()),
  checkedAt: z.number(),
});

/** One entry of /etc/portal.yaml. */
export const PortalApp = z.object({
  name: z.string(),
  hostname: z.string(),
  externalPort: z.number().int(),
  internalPort: z.number().int(),
  openPath: z.string(),
});

export const ProgramAction = z.enum(['start', 'stop', 'restart']);

const RunId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'a run id');
/** `name` or `group:name`, as supervisorctl spells it (never anything a shell would read). */
export const ProgramName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$/, 'a supervisor program name');
const Lines = z.number().int().min(1).max(100_000).default(200);
const OperationStarted = z.object({ opId: z.string() });

export const SmokeInput = z
  .object({
    /** A template folder. */
    path: z.string().min(1).max(4096),
    mode: RunMode.default('ssh'),
    template: z.string().min(1).max(200).optional(),
    timeoutSeconds: z.number().int().min(10).max(7200).default(300),
    strict: z.boolean().default(false),
    portGraceSeconds: z.number().int().min(0).max(3600).default(60),
  })
  .strict();

export const runsCalls = {
  'runs:list': call(
    NoInput,
    z.array(Run),
    'Every local run on the engine, newest first (found by label, so they survive an app restart).',
  ),
  'runs:get': call(z.object({ id: RunId }).strict(), Run, 'One run.'),
  'runs:start': call(
    RunStartInput,
    OperationStarted,
    'Run a template folder or an image the way Vast launches it. An operation (kind `run`): build output as `log`, `step`/`warning`/`ready` events; its result is a RunReady.',
  ),
  'runs:stop': call(z.object({ id: RunId }).strict(), Done, 'Stop a run (docker stop, 5 s grace).'),
  'runs:resume': call(
    z.object({ id: RunId }).strict(),
    Done,
    'Start a stopped run again; onstart runs again, as on Vast.',
  ),
  'runs:restart': call(
    z.object({ id: RunId, wait: z.boolean().default(false) }).strict(),
    Done,
    'Restart a run; with wait, answer once it is ready again.',
  ),
  'runs:remove': call(z.object({ id: RunId }).strict(), Done, 'Remove a run and its anonymous volumes.'),
  'runs:logs': call(
    z.object({ id: RunId, tail: Lines }).strict(),
    z.object({ text: z.string() }),
    "The run container's own output (the last lines).",
  ),
  'runs:hostKeys': call(
    z.object({ id: RunId }).strict(),
    z.object({ keys: z.array(z.string()) }),
    "The run's SSH host keys (`type base64` lines), to pin instead of trusting a reused 127.0.0.1 port.",
  ),
  'runs:cleanupOrphans': call(
    NoInput,
    z.object({ removed: z.array(z.string()) }),
    'Remove runs nobody will come back to: stopped runs of a killed smoke, containers created but never started.',
  ),
  'runs:status': call(
    z.object({ id: RunId }).strict(),
    SupervisorSnapshot,
    'Supervisor programs (as supervisorctl prints them, skipped ones marked) and the provisioning state.',
  ),
  'runs:watchStatus': call(
    z.object({ id: RunId, intervalMs: z.number().int().min(250).max(60_000).default(2000) }).strict(),
    OperationStarted,
    'Refresh the status live: an operation (kind `run-status`) that emits a `status` event (a SupervisorSnapshot) whenever it changes, until cancelled.',
  ),
  'runs:programControl': call(
    z.object({ id: RunId, program: ProgramName, action: ProgramAction }).strict(),
    z.object({ ok: z.boolean(), output: z.string() }),
    'supervisorctl start|stop|restart of one program.',
  ),
  'runs:programLog': call(
    z.object({ id: RunId, program: ProgramName, lines: Lines }).strict(),
    z.object({ text: z.string() }),
    "The end of a program's log, /var/log/portal/<name>.log.",
  ),
  'runs:programLogFollow': call(
    z.object({ id: RunId, program: ProgramName, lines: Lines }).strict(),
    OperationStarted,
    "Follow a program's log: an operation (kind `program-log`) whose `log` events carry the text, until cancelled.",
  ),
  'runs:provisioningLog': call(
    z.object({ id: RunId, lines: Lines }).strict(),
    z.object({ text: z.string() }),
    'The end of /var/log/portal/provisioning.log.',
  ),
  'runs:portalApps': call(
    z.object({ id: RunId }).strict(),
    z.array(PortalApp),
    'The applications of /etc/portal.yaml with their ports.',
  ),
  'runs:smoke': call(
    SmokeInput,
    OperationStarted,
    'Build, run, wait until ready and check every program (tstudio smoke). An operation (kind `smoke`); its result is the report.',
  ),
} as const;

export const runsEvents = {
  'run:stateChanged': event(
    z.object({ id: z.string(), run: Run.nullable() }),
    'A run was created, started, stopped, restarted or removed (run is null once removed).',
  ),
} as const;
