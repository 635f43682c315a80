import { z } from 'zod';
import { call } from './kit';
import { SampleValues } from './monitor';
import { PortalApp, ProgramAction, ProgramName, SupervisorSnapshot } from './runs';

/**
 * Looking inside a running Vast instance over SSH (the app's key, the endpoint `vastai ssh-url`
 * would give): its supervisor programs, in the same shapes as a local run's, so one view shows both.
 */

const InstanceRef = z.number().int().positive();
const Lines = z.number().int().min(1).max(100_000).default(200);
const OperationStarted = z.object({ opId: z.string() });

/** An app of /etc/portal.yaml, with where its external port is published on the instance. */
export const InstancePortalApp = PortalApp.extend({
  /** `http://<public ip>:<host port><openPath>`; null while the port is not published. */
  url: z.string().nullable(),
});

/** What nvidia-smi said: numbers, that there is none (CPU box, the sandbox), or why it failed. */
export const GpuReading = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    /** Mean over the GPUs, percent. */
    util: z.number(),
    /** Memory used over total across the GPUs, percent. */
    memPercent: z.number(),
    gpus: z.number().int(),
  }),
  z.object({ status: z.literal('absent') }),
  z.object({ status: z.literal('error'), message: z.string() }),
]);

/**
 * One sample of an instance's /proc, df and nvidia-smi over SSH. Inside a container /proc/stat and
 * /proc/meminfo describe the host (what `top` and `free` show there); network and disk are the
 * container's own.
 */
export const InstanceMetrics = z.object({
  instanceId: z.number().int(),
  /** Epoch ms. */
  at: z.number(),
  /** 100 per busy core, like docker stats (up to 100 × cores); null on the first sample. */
  cpuPercent: z.number().nullable(),
  cores: z.number().int().nullable(),
  memTotalBytes: z.number().nullable(),
  memUsedBytes: z.number().nullable(),
  diskTotalBytes: z.number().nullable(),
  diskUsedBytes: z.number().nullable(),
  /** Since boot, every interface but loopback. */
  netRxBytes: z.number().nullable(),
  netTxBytes: z.number().nullable(),
  netRxPerSec: z.number().nullable(),
  netTxPerSec: z.number().nullable(),
  gpu: GpuReading,
  /** The point fed to the monitor's series for `instance:<id>`. */
  values: SampleValues,
});

export const instanceInspectCalls = {
  'instances:supervisor': call(
    z.object({ instanceId: InstanceRef }).strict(),
    SupervisorSnapshot,
    "A running instance's supervisor programs over SSH, exactly as `runs:status` reports a local run's.",
  ),
  'instances:watchSupervisor': call(
    z
      .object({ instanceId: InstanceRef, intervalMs: z.number().int().min(1000).max(60_000).default(3000) })
      .strict(),
    OperationStarted,
    'Refresh the status live: an operation (kind `instance-status`) that emits `status` (a SupervisorSnapshot) when it changes and `unreachable` ({ message }) while SSH fails, until cancelled.',
  ),
  'instances:programControl': call(
    z.object({ instanceId: InstanceRef, program: ProgramName, action: ProgramAction }).strict(),
    z.object({ ok: z.boolean(), output: z.string() }),
    'supervisorctl start|stop|restart of one program on the instance.',
  ),
  'instances:programLog': call(
    z.object({ instanceId: InstanceRef, program: ProgramName, lines: Lines }).strict(),
    z.object({ text: z.string() }),
    "The end of a program's log on the instance, /var/log/portal/<name>.log.",
  ),
  'instances:programLogFollow': call(
    z.object({ instanceId: InstanceRef, program: ProgramName, lines: Lines }).strict(),
    OperationStarted,
    "Follow a program's log on the instance: an operation (kind `program-log`) whose `log` events carry the text, until cancelled.",
  ),
  'instances:portalApps': call(
    z.object({ instanceId: InstanceRef }).strict(),
    z.array(InstancePortalApp),
    "The applications of the instance's /etc/portal.yaml, with the URL of each published port.",
  ),
  'instances:metrics': call(
    z.object({ instanceId: InstanceRef }).strict(),
    InstanceMetrics,
    "One sample of the instance's CPU, memory, disk, network (and GPU where nvidia-smi exists) over SSH; within 5 s of the last one, that one again.",
  ),
  'instances:watchMetrics': call(
    z.object({ instanceId: InstanceRef }).strict(),
    OperationStarted,
    "Sample every 5 s while this operation (kind `instance-metrics`) lives: `sample` events (InstanceMetrics) and `unreachable` ({ message }); each sample also goes into the monitor's series for `instance:<id>`. Cancel it when the view closes.",
  ),
} as const;
