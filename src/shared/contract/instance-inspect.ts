import { z } from 'zod';
import { call } from './kit';
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
} as const;
