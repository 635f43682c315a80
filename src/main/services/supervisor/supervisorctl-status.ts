/**
 * Parser for `supervisorctl status` as Supervisor 4.2.5 prints it (supervisorctl.py::_show_statuses):
 * `'%(namespec)-<W+3>s%(state)-10s%(desc)s'` per process, no header. It never throws: a line it cannot
 * read is kept in `unparsed`, so an odd supervisord (or a shell error mixed in) degrades, not crashes.
 */

export const SUPERVISOR_STATES = [
  'STOPPED',
  'STARTING',
  'RUNNING',
  'BACKOFF',
  'STOPPING',
  'EXITED',
  'FATAL',
  'UNKNOWN',
] as const;
export type SupervisorState = (typeof SUPERVISOR_STATES)[number];

export interface SupervisorProcessLine {
  /** The namespec as printed: `name`, or `group:name` when the group differs. */
  namespec: string;
  group: string | null;
  name: string;
  state: SupervisorState;
  /** The description column exactly as printed, trailing spaces removed. */
  description: string;
  /** RUNNING only. */
  pid: number | null;
  /** RUNNING only: `H:MM:SS` or `N day(s), H:MM:SS`, in seconds. */
  uptimeSeconds: number | null;
  /** BACKOFF / FATAL: the spawn error or "unknown error (try …)". */
  error: string | null;
}

export interface SupervisorStatusParse {
  processes: SupervisorProcessLine[];
  /** `<name>: ERROR (no such process)` and the like. */
  errors: { namespec: string; message: string }[];
  /** True when supervisorctl could not reach supervisord (no socket, refused). */
  unreachable: boolean;
  unparsed: string[];
}

const STATE_ALTERNATION = SUPERVISOR_STATES.join('|');
// The name column is padded to at least 33 characters, but a longer name pushes the state right, so the
// state is found as the first known state word after whitespace, never by column. The `s` flag lets
// `.` take U+2028/U+2029 too: lines are split on \n only, so those stay inside a description.
const PROCESS_LINE = new RegExp(`^(\\S(?:.*?\\S)?)\\s+(${STATE_ALTERNATION})(?:\\s+(.*))?$`, 's');
const ERROR_LINE = /^(\S+): ERROR \((.*)\)\s*$/s;
const RUNNING_DESC = /^pid (\d+), uptime (?:(\d+) days?, )?(\d+):(\d\d):(\d\d)$/;
const UNREACHABLE =
  /(no such file|refused connection|connection refused|Error: another program is already listening|unix:\/\/\S+ )/i;

export function parseSupervisorctlStatus(output: unknown): SupervisorStatusParse {
  const result: SupervisorStatusParse = { processes: [], errors: [], unreachable: false, unparsed: [] };
  if (typeof output !== 'string') return result;
  for (const rawLine of output.split(/\r?\n/)) {
    const line = rawLine.replace(/\s+$/, '');
    if (line.trim() === '') continue;
    const process = parseProcessLine(line);
    if (process) {
      result.processes.push(process);
      continue;
    }
    const error = ERROR_LINE.exec(line);
    if (error && error[1] !== undefined && error[2] !== undefined) {
      result.errors.push({ namespec: error[1], message: error[2] });
      continue;
    }
    if (UNREACHABLE.test(line)) {
      result.unreachable = true;
      continue;
    }
    result.unparsed.push(line);
  }
  return result;
}

function parseProcessLine(line: string): SupervisorProcessLine | null {
  const match = PROCESS_LINE.exec(line);
  if (!match || match[1] === undefined || match[2] === undefined) return null;
  const namespec = match[1];
  const state = match[2] as SupervisorState;
  const description = (match[3] ?? '').trim();
  const colon = namespec.indexOf(':');
  const group = colon > 0 ? namespec.slice(0, colon) : null;
  const name = colon > 0 ? namespec.slice(colon + 1) : namespec;
  let pid: number | null = null;
  let uptimeSeconds: number | null = null;
  let error: string | null = null;
  if (state === 'RUNNING') {
    const running = RUNNING_DESC.exec(description);
    if (running) {
      pid = Number(running[1]);
      uptimeSeconds =
        Number(running[2] ?? 0) * 86_400 +
        Number(running[3]) * 3600 +
        Number(running[4]) * 60 +
        Number(running[5]);
    }
  } else if ((state === 'BACKOFF' || state === 'FATAL') && description !== '') {
    error = description;
  }
  return { namespec, group, name, state, description, pid, uptimeSeconds, error };
}

/** Supervisor's `status` exit codes: 0 all fine, 3 some stopped/exited/fatal/unknown, 4 bad name or no supervisord. */
export function isExpectedStatusExitCode(code: number): boolean {
  return code === 0 || code === 3 || code === 4;
}
