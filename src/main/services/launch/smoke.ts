import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';
import type { PortalApp, ProgramStatus, SupervisorClient, SupervisorSnapshot } from '../supervisor/index';
import type { LocalRunService, ProgressReporter } from './local-run-service';
import type { RunMode } from './run-mode';
import { trySshLogin } from './ssh-handshake';
import { resolveSource } from './template-source';

export interface SmokeOptions {
  /** A template folder. */
  source: string;
  mode?: RunMode;
  template?: string;
  /** The whole smoke, build included (ms). */
  timeoutMs?: number;
  /** Fail on any program that ends FATAL, not only on those behind PORTAL_CONFIG. */
  strict?: boolean;
  /**
   * How long a RUNNING portal program may take to bind its internal port (s, default 60) before the
   * smoke stops waiting and fails it; apps that load models first need more.
   */
  portGraceSeconds?: number;
}

export type ProgramRole = 'portal' | 'skipped' | 'other';

export interface SmokeProgram {
  name: string;
  state: string;
  description: string;
  skipped: boolean;
  role: ProgramRole;
  /** portal programs: the PORTAL_CONFIG entry they serve and whether its internal port listens. */
  app: string | null;
  internalPort: number | null;
  listening: boolean | null;
}

export interface SmokeCheck {
  name: string;
  ok: boolean;
  /** `warning` checks are reported but never fail the smoke. */
  severity: 'error' | 'warning';
  message: string;
}

export interface SmokeReport {
  ok: boolean;
  source: string;
  image: string;
  /** The throwaway tag the smoke built and ran (removed again when it ends). */
  builtTag: string;
  mode: RunMode;
  buildMs: number | null;
  readyMs: number | null;
  durationMs: number;
  provisioning: SupervisorSnapshot['provisioning'] | null;
  programs: SmokeProgram[];
  checks: SmokeCheck[];
  warnings: string[];
}

/**
 * `tstudio smoke`: build the template's image under a throwaway tag, run it as Vast would, wait
 * until ready, then until supervisor settles, and check that every program behind a PORTAL_CONFIG
 * entry is RUNNING with its internal port listening and that programs left out of PORTAL_CONFIG were
 * skipped. Everything it made is removed, whatever happens.
 */
export async function runSmoke(
  runs: LocalRunService,
  docker: Docker,
  opts: SmokeOptions,
  progress?: ProgressReporter,
): Promise<SmokeReport> {
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 300_000);
  const mode = opts.mode ?? 'ssh';
  const source = await resolveSource(opts.source, { template: opts.template });
  if (source.kind !== 'template') {
    throw new AppError(
      'TEMPLATE_INVALID',
      `${opts.source} is not a template folder: smoke builds a folder with templates/<name>/template.yml.`,
    );
  }
  const tag = `tstudio-smoke/${slug(source.template?.name ?? 'template')}:${randomBytes(4).toString('hex')}`;
  const report: SmokeReport = {
    ok: false,
    source: source.source,
    image: source.imageRef,
    builtTag: tag,
    mode,
    buildMs: null,
    readyMs: null,
    durationMs: 0,
    provisioning: null,
    programs: [],
    checks: [],
    warnings: [],
  };
  const check = (name: string, ok: boolean, message: string, severity: 'error' | 'warning' = 'error') =>
    report.checks.push({ name, ok, severity, message });

  let runId: string | null = null;
  try {
    try {
      const ready = await runs.start(
        {
          source: opts.source,
          mode,
          template: opts.template,
          build: 'always',
          buildTag: tag,
          ephemeral: true,
          // A smoke checks the image as it ships: never a workspace remembered from the author's runs.
          workspace: null,
          readyTimeoutMs: Math.max(5_000, deadline - Date.now()),
        },
        progress,
      );
      runId = ready.run.containerId;
      report.buildMs = ready.buildMs;
      report.readyMs = ready.readyMs;
      report.warnings.push(...ready.warnings);
      check(
        'ready',
        true,
        `Ready in ${(ready.readyMs / 1000).toFixed(1)} s (SSH answers, /.provisioning gone).`,
      );
      // "Ready" is a handshake; a template's CI also wants to know that the key gets in.
      const ssh = ready.run.ssh;
      if (ssh) {
        const login = await trySshLogin({
          host: ssh.host,
          port: ssh.port,
          username: ssh.user,
          privateKey: await readFile(ssh.identityFile),
        });
        check(
          'ssh-login',
          login === true,
          login === true
            ? `SSH login as ${ssh.user} with the app key works.`
            : `sshd answers but the login as ${ssh.user} with the app key failed (${login}). Check the image's sshd_config (AuthorizedKeysFile, PubkeyAuthentication).`,
        );
      }
    } catch (err) {
      const e = AppError.from(err);
      check(e.code === 'BUILD_FAILED' ? 'build' : 'ready', false, e.message);
      return report;
    }

    const supervisor = runs.supervisor(runId);
    const { snapshot, apps, programs } = await settle(
      supervisor,
      deadline,
      opts.portGraceSeconds ?? 60,
      progress?.signal,
    );
    report.provisioning = snapshot.provisioning;
    report.programs = programs;

    if (snapshot.provisioning === 'failed')
      check('provisioning', false, 'Provisioning failed: see /var/log/portal/provisioning.log.');
    else check('provisioning', true, `Provisioning: ${snapshot.provisioning}.`);

    if (snapshot.supervisord === 'absent') {
      check('supervisor', true, 'The image has no supervisor: there are no programs to check.', 'warning');
    } else if (snapshot.supervisord === 'unreachable') {
      check('supervisor', false, 'supervisord is not answering on /var/run/supervisor.sock.');
    }
    for (const app of apps) {
      if (!programs.some((p) => p.role === 'portal' && p.app === app.name)) {
        const listens = programs.length === 0 ? null : await portListens(supervisor, app.internalPort);
        check(
          `portal:${app.name}`,
          listens !== false,
          listens === false
            ? `PORTAL_CONFIG entry "${app.name}" points at internal port ${app.internalPort}, and nothing listens there.`
            : `PORTAL_CONFIG entry "${app.name}" (internal port ${app.internalPort}) has no gated program; its port listens.`,
        );
      }
    }
    for (const p of programs) {
      if (p.role === 'portal') {
        const ok = p.state === 'RUNNING' && p.listening === true;
        check(
          `program:${p.name}`,
          ok,
          ok
            ? `${p.name} is RUNNING and serves "${p.app}" on internal port ${p.internalPort}.`
            : p.state !== 'RUNNING'
              ? `${p.name} serves "${p.app}" but is ${p.state}${p.description ? ` (${p.description})` : ''}. Read /var/log/portal/${p.name}.log.`
              : `${p.name} is RUNNING but nothing listens on internal port ${p.internalPort}, which PORTAL_CONFIG names for "${p.app}".`,
        );
      } else if (p.role === 'skipped') {
        const ok = p.state === 'EXITED' || p.state === 'STOPPED';
        check(
          `program:${p.name}`,
          ok,
          ok
            ? `${p.name} was skipped (not in PORTAL_CONFIG).`
            : `${p.name} should have been skipped but is ${p.state}.`,
        );
      } else if (p.state === 'FATAL' || p.state === 'BACKOFF' || p.state === 'UNKNOWN') {
        check(
          `program:${p.name}`,
          false,
          `${p.name} is ${p.state}${p.description ? ` (${p.description})` : ''}; it is not behind PORTAL_CONFIG${opts.strict ? '' : ', so this is reported, not failed (use --strict to fail)'}.`,
          opts.strict ? 'error' : 'warning',
        );
      } else {
        check(`program:${p.name}`, true, `${p.name} is ${p.state}.`);
      }
    }
    return report;
  } finally {
    if (runId) await runs.remove(runId).catch(() => undefined);
    else await removeLeftovers(runs, tag);
    await docker
      .getImage(tag)
      .remove({ force: true })
      .catch(() => undefined);
    report.durationMs = Date.now() - started;
    report.ok = report.checks.length > 0 && report.checks.every((c) => c.ok || c.severity === 'warning');
  }
}

/**
 * Supervisor needs a while after "ready": a skipped program exits after about 6 s, a failing one
 * walks through BACKOFF to FATAL, a web app binds its port. Poll until nothing is in flux, or the
 * deadline.
 */
async function settle(
  supervisor: SupervisorClient,
  deadline: number,
  portGraceSeconds: number,
  signal?: AbortSignal,
): Promise<{ snapshot: SupervisorSnapshot; apps: PortalApp[]; programs: SmokeProgram[] }> {
  const terms = new Map<string, string | null>();
  for (;;) {
    signal?.throwIfAborted();
    const snapshot = await supervisor.snapshot(signal);
    const apps = await supervisor.portalApps(signal);
    const listening = new Set((await supervisor.listeningTcp(signal)).map((s) => s.port));
    const programs: SmokeProgram[] = [];
    const uptime = new Map<string, number | null>();
    for (const p of snapshot.programs) {
      if (!terms.has(p.name))
        terms.set(p.name, await supervisor.portalTermOf(p.namespec, signal).catch(() => null));
      programs.push(classify(p, terms.get(p.name) ?? null, apps, listening));
      uptime.set(p.namespec, p.uptimeSeconds);
    }
    const unsettled = programs.some(
      (p) =>
        ['STARTING', 'BACKOFF', 'STOPPING'].includes(p.state) ||
        (p.role === 'skipped' && p.state === 'RUNNING') ||
        // A portal program that runs but has not bound its port yet gets its grace period, no more.
        (p.role === 'portal' &&
          p.state === 'RUNNING' &&
          !p.listening &&
          (uptime.get(p.name) ?? 0) < portGraceSeconds),
    );
    if ((!unsettled && snapshot.supervisord !== 'unreachable') || Date.now() > deadline)
      return { snapshot, apps, programs };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function classify(
  p: ProgramStatus,
  term: string | null,
  apps: PortalApp[],
  listening: Set<number>,
): SmokeProgram {
  // exit_portal.sh greps /etc/portal.yaml case-insensitively for the term; the entry it finds is the app.
  const app = term ? (apps.find((a) => a.name.toLowerCase().includes(term.toLowerCase())) ?? null) : null;
  const role: ProgramRole =
    p.skipped || (term !== null && app === null) ? 'skipped' : app ? 'portal' : 'other';
  return {
    name: p.namespec,
    state: p.state,
    description: p.description,
    skipped: p.skipped,
    role,
    app: app?.name ?? null,
    internalPort: app?.internalPort ?? null,
    listening: app ? listening.has(app.internalPort) : null,
  };
}

async function portListens(supervisor: SupervisorClient, port: number): Promise<boolean> {
  return (await supervisor.listeningTcp()).some((s) => s.port === port);
}

async function removeLeftovers(runs: LocalRunService, tag: string): Promise<void> {
  const leftovers = (await runs.list().catch(() => [])).filter((r) => r.image === tag);
  for (const r of leftovers) await runs.remove(r.containerId).catch(() => undefined);
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'template'
  );
}

/** The report as text for a terminal. */
export function formatSmokeReport(report: SmokeReport): string {
  const lines = [
    `smoke ${report.ok ? 'PASSED' : 'FAILED'}: ${report.source} (${report.mode} mode, ${(report.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (report.buildMs !== null) lines.push(`  build ${(report.buildMs / 1000).toFixed(1)} s`);
  if (report.readyMs !== null) lines.push(`  ready ${(report.readyMs / 1000).toFixed(1)} s`);
  for (const c of report.checks)
    lines.push(`  ${c.ok ? 'ok  ' : c.severity === 'warning' ? 'warn' : 'FAIL'} ${c.name}: ${c.message}`);
  for (const w of report.warnings) lines.push(`  note ${w}`);
  return `${lines.join('\n')}\n`;
}
