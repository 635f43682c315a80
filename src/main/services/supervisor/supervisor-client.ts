import { AppError } from '../../../shared/errors';
import type { ExecTransport } from './exec-transport';
import { parsePortalYaml, type PortalApp } from './portal-apps';
import { parseProcNetTcp, type ListeningSocket } from './proc-net-tcp';
import { assertProgramName, programLogPath } from './program-name';
import { parseSupervisorctlStatus, type SupervisorProcessLine } from './supervisorctl-status';

export type ProvisioningState = 'running' | 'complete' | 'failed' | 'none';

export interface ProgramStatus extends SupervisorProcessLine {
  /** The program left /tmp/supervisor-skip/<name>: it is not in /etc/portal.yaml, so it is skipped, not failed. */
  skipped: boolean;
}

export interface SupervisorSnapshot {
  /** `running`: supervisorctl answered; `unreachable`: no supervisord socket yet; `absent`: no supervisorctl. */
  supervisord: 'running' | 'unreachable' | 'absent';
  programs: ProgramStatus[];
  provisioning: ProvisioningState;
  /** Lines of supervisorctl output that were not understood (shown to the user as is). */
  unparsed: string[];
  checkedAt: number;
}

export type ProgramAction = 'start' | 'stop' | 'restart';

const RC_MARK = '<<tstudio:rc=';
const MARKERS_MARK = '<<tstudio:markers>>';

/*
 * One exec per snapshot (an SSH round trip to a Vast box is slow): supervisorctl status, its exit code,
 * the skip markers and the provisioning markers. The script is a constant; nothing from data goes in.
 */
const SNAPSHOT_SCRIPT = [
  'supervisorctl status 2>&1',
  `echo "${RC_MARK}$?>>"`,
  'ls -1A /tmp/supervisor-skip 2>/dev/null',
  `echo "${MARKERS_MARK}"`,
  'for f in /.provisioning /.provisioning_complete /.provisioning_failed; do [ -e "$f" ] && echo "$f"; done',
  'true',
].join('\n');

/** Supervisor status, control and logs inside one container or instance, over an ExecTransport. */
export class SupervisorClient {
  constructor(private readonly transport: ExecTransport) {}

  async snapshot(signal?: AbortSignal): Promise<SupervisorSnapshot> {
    const result = await this.transport.exec(['sh', '-c', SNAPSHOT_SCRIPT], { signal, timeoutMs: 20_000 });
    return parseSnapshot(result.stdout, Date.now());
  }

  async control(
    program: string,
    action: ProgramAction,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; output: string }> {
    assertProgramName(program);
    const result = await this.transport.exec(['supervisorctl', action, program], {
      signal,
      timeoutMs: 60_000,
    });
    const output = (result.stdout + result.stderr).trim();
    return { ok: result.exitCode === 0 && !/ERROR/.test(output), output };
  }

  async tailLog(program: string, lines = 200, signal?: AbortSignal): Promise<string> {
    return this.tailFile(programLogPath(program), lines, signal);
  }

  /** Follows a program's log until the signal fires; resolves then. */
  async followLog(
    program: string,
    opts: { lines?: number; signal: AbortSignal; onText: (text: string) => void },
  ): Promise<void> {
    await this.transport.stream(
      ['tail', '-n', String(clampLines(opts.lines ?? 200)), '-F', programLogPath(program)],
      {
        signal: opts.signal,
        onStdout: opts.onText,
      },
    );
  }

  async provisioningLog(lines = 200, signal?: AbortSignal): Promise<string> {
    return this.tailFile('/var/log/portal/provisioning.log', lines, signal);
  }

  async portalApps(signal?: AbortSignal): Promise<PortalApp[]> {
    const result = await this.transport.exec(['cat', '/etc/portal.yaml'], { signal, timeoutMs: 20_000 });
    return result.exitCode === 0 ? parsePortalYaml(result.stdout) : [];
  }

  /** The script a program runs, to learn which PORTAL_CONFIG term gates it (`exit_portal.sh "<term>"`). */
  async portalTermOf(program: string, signal?: AbortSignal): Promise<string | null> {
    assertProgramName(program);
    const bare = program.includes(':') ? program.slice(program.indexOf(':') + 1) : program;
    const result = await this.transport.exec(['cat', `/opt/supervisor-scripts/${bare}.sh`], {
      signal,
      timeoutMs: 20_000,
    });
    return result.exitCode === 0 ? findPortalTerm(result.stdout) : null;
  }

  async listeningTcp(signal?: AbortSignal): Promise<ListeningSocket[]> {
    const result = await this.transport.exec(['cat', '/proc/net/tcp', '/proc/net/tcp6'], {
      signal,
      timeoutMs: 20_000,
    });
    return parseProcNetTcp(result.stdout);
  }

  private async tailFile(path: string, lines: number, signal?: AbortSignal): Promise<string> {
    const result = await this.transport.exec(['tail', '-n', String(clampLines(lines)), path], {
      signal,
      timeoutMs: 20_000,
    });
    if (result.exitCode !== 0) {
      if (/No such file/i.test(result.stderr)) return '';
      throw new AppError(
        'IO',
        `Could not read ${path}: ${result.stderr.trim() || `tail exited with ${result.exitCode}`}`,
      );
    }
    return result.stdout;
  }
}

function clampLines(lines: number): number {
  return Math.max(1, Math.min(100_000, Math.floor(lines)));
}

export function parseSnapshot(stdout: string, checkedAt: number): SupervisorSnapshot {
  const rcAt = stdout.indexOf(RC_MARK);
  const statusText = rcAt >= 0 ? stdout.slice(0, rcAt) : stdout;
  const rest = rcAt >= 0 ? stdout.slice(rcAt + RC_MARK.length) : '';
  const rc = Number.parseInt(rest, 10);
  const afterRc = rest.slice(rest.indexOf('>>') + 2);
  const markersAt = afterRc.indexOf(MARKERS_MARK);
  const skipText = markersAt >= 0 ? afterRc.slice(0, markersAt) : afterRc;
  const markerText = markersAt >= 0 ? afterRc.slice(markersAt + MARKERS_MARK.length) : '';

  const parsed = parseSupervisorctlStatus(statusText);
  const skips = new Set(
    skipText
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const markers = new Set(
    markerText
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );

  const supervisord: SupervisorSnapshot['supervisord'] =
    rc === 127 || /supervisorctl: (command )?not found/.test(statusText)
      ? 'absent'
      : parsed.unreachable
        ? 'unreachable'
        : 'running';
  return {
    supervisord,
    programs: parsed.processes.map((p) => ({ ...p, skipped: skips.has(p.name) })),
    provisioning: provisioningFrom(markers),
    unparsed: supervisord === 'absent' ? [] : parsed.unparsed,
    checkedAt,
  };
}

function provisioningFrom(markers: Set<string>): ProvisioningState {
  if (markers.has('/.provisioning')) return 'running';
  if (markers.has('/.provisioning_failed')) return 'failed';
  if (markers.has('/.provisioning_complete')) return 'complete';
  return 'none';
}

/** `. /opt/supervisor-scripts/utils/exit_portal.sh "demo web app"` -> `demo web app`. */
export function findPortalTerm(script: string): string | null {
  for (const line of script.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const match = /exit_portal\.sh\s+(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(line);
    if (match) return match[1] ?? match[2] ?? match[3] ?? null;
  }
  return null;
}
