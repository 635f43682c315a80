import { useEffect, useMemo, useState } from 'react';
import type { z } from 'zod';
import type { PortalApp, ProgramAction, SupervisorSnapshot } from '../../../../shared/contract/runs';
import { api, asAppError } from '../../api';
import { useOperation } from '../../stores/operations-store';
import { useFocusStore } from '../../stores/focus-store';
import { LogView } from '../../log/LogView';
import type { RunData } from './runs-store';

type Snapshot = z.output<typeof SupervisorSnapshot>;
type Action = z.output<typeof ProgramAction>;

/** An app of /etc/portal.yaml and where the user can open it (null: its port is not published). */
export interface ProgramsPortalApp extends z.output<typeof PortalApp> {
  url: string | null;
}

/**
 * Where a programs view gets its data: a local run (docker exec) or a Vast instance (SSH). The view
 * is the same for both, so what a user learns on a local run holds on the cloud.
 */
export interface ProgramsSource {
  /** Changes when the source does (the effects restart). */
  key: string;
  /** Starts a status watch operation (`status` events, and `unreachable` while it cannot reach). */
  watch(): Promise<{ opId: string }>;
  portalApps(): Promise<ProgramsPortalApp[]>;
  control(program: string, action: Action): Promise<{ ok: boolean; output: string }>;
  followLog(program: string, lines: number): Promise<{ opId: string }>;
}

/** The local run's calls (runs:*), its apps opened on the ports published on 127.0.0.1. */
export function runProgramsSource(id: string, ports: Record<string, number>): ProgramsSource {
  return {
    key: `run:${id}`,
    watch: () => api['runs:watchStatus']({ id: id, intervalMs: 1500 }),
    portalApps: async () =>
      (await api['runs:portalApps']({ id: id })).map((a) => {
        const port = ports[`${a.externalPort}/tcp`];
        return { ...a, url: port ? `http://127.0.0.1:${port}${a.openPath}` : null };
      }),
    control: (program, action) => api['runs:programControl']({ id: id, program, action }),
    followLog: (program, lines) => api['runs:programLogFollow']({ id: id, program, lines }),
  };
}

/** Supervisor programs of a local run: the programs view over docker exec. */
export function SupervisorPanel({ run }: { run: RunData }) {
  // The ports decide the apps' URLs; the run object itself is new on every refresh.
  const portsKey = JSON.stringify(run.ports);
  const source = useMemo(
    () => runProgramsSource(run.id, JSON.parse(portsKey) as Record<string, number>),
    [run.id, portsKey],
  );
  return <ProgramsPanel key={source.key} source={source} />;
}

/**
 * Supervisor programs as supervisorctl reports them, refreshed live through a status operation in
 * main; skipped programs are shown as skipped, not failed. Give it `key={source.key}`, so another
 * target starts from a clean state.
 */
export function ProgramsPanel({ source }: { source: ProgramsSource }) {
  const [watchOp, setWatchOp] = useState<string | null>(null);
  const [apps, setApps] = useState<ProgramsPortalApp[]>([]);
  const [logOf, setLogOf] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const op = useOperation(watchOp);

  useEffect(() => {
    let opId: string | null = null;
    let cancelled = false;
    source.watch().then(
      (r) => {
        opId = r.opId;
        if (cancelled) void api['operations:cancel']({ id: r.opId });
        else setWatchOp(r.opId);
      },
      (err) => setError(asAppError(err).message),
    );
    source.portalApps().then(setApps, () => setApps([]));
    return () => {
      cancelled = true;
      if (opId) void api['operations:cancel']({ id: opId }).catch(() => undefined);
    };
  }, [source]);

  // The newest status event; the operation's replay brings it back when the view returns. An
  // `unreachable` event after it says the watch cannot reach the target right now (it keeps trying).
  let snapshot: Snapshot | null = null;
  let unreachable: string | null = null;
  for (let i = (op?.events.length ?? 0) - 1; i >= 0 && !snapshot; i--) {
    const e = op!.events[i]!;
    if (e.type === 'status') snapshot = e.data as Snapshot;
    else if (e.type === 'unreachable' && unreachable === null && !snapshot)
      unreachable = (e.data as { message?: string }).message ?? 'unreachable';
  }
  const watchFailed = op?.summary?.state === 'failed' ? (op.summary.error?.message ?? 'failed') : null;

  // A notification about one of these programs (anchor program-log-<name>) opens that program's
  // log: state adjusted while rendering (React's pattern for it), the intent cleared after.
  const intent = useFocusStore((f) => f.intent);
  const wanted = intent?.anchor?.startsWith('program-log-')
    ? intent.anchor.slice('program-log-'.length)
    : null;
  const addressed = intent && source.key === `${intent.view === 'vast' ? 'instance' : 'run'}:${intent.id}`;
  const focusProgram =
    wanted && addressed && snapshot?.programs.some((p) => p.name === wanted) ? wanted : null;
  if (focusProgram && logOf !== focusProgram) setLogOf(focusProgram);
  useEffect(() => {
    if (focusProgram && intent) useFocusStore.getState().done(intent);
  }, [focusProgram, intent]);

  const control = async (program: string, action: Action) => {
    setBusy(`${program}:${action}`);
    try {
      const r = await source.control(program, action);
      if (!r.ok) setError(r.output.trim());
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="supervisor">
      <div className="supervisor-head">
        <h3>Services</h3>
        <span className={`prov prov-${snapshot?.provisioning ?? 'none'}`} data-testid="provisioning">
          provisioning: {snapshot?.provisioning ?? '…'}
        </span>
      </div>
      {/* Not failures: an image may run no supervisor at all (args mode, an external image). */}
      {snapshot?.supervisord === 'absent' ? (
        <p className="muted" role="status" data-testid="supervisord-state">
          No supervisor here: the image has no supervisorctl, so it runs no supervisor services to show.
        </p>
      ) : snapshot?.supervisord === 'unreachable' ? (
        <p className="muted" role="status" data-testid="supervisord-state">
          supervisord is not running (yet): supervisorctl cannot reach it. The image&apos;s boot starts it; an
          entrypoint that does not start it has no services to show. Checking again…
        </p>
      ) : null}
      {error || watchFailed ? (
        <p className="banner banner-error" role="alert">
          {error ?? `The status watch stopped: ${watchFailed}`}
        </p>
      ) : null}
      {unreachable ? (
        <p className="banner" role="status" style={{ borderColor: 'var(--warn)' }}>
          Cannot read the status right now ({unreachable}); trying again.
        </p>
      ) : null}
      <table
        className="grid-table programs"
        aria-label="Supervisor programs"
        hidden={!!snapshot && snapshot.supervisord !== 'running'}
      >
        <thead>
          <tr>
            <th>Program</th>
            <th>State</th>
            <th>Details</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(snapshot?.programs ?? []).map((p) => (
            <tr key={p.namespec} data-testid={`program-${p.namespec}`}>
              <td>
                <code>{p.namespec}</code>
              </td>
              <td>
                <span className={`state state-${p.skipped ? 'SKIPPED' : p.state}`}>
                  {p.skipped ? 'SKIPPED' : p.state}
                </span>
              </td>
              <td className="muted small">
                {p.skipped ? `not in PORTAL_CONFIG (${p.state.toLowerCase()})` : p.description}
              </td>
              <td className="row-actions">
                <button type="button" onClick={() => setLogOf(p.name)} aria-label={`Log of ${p.namespec}`}>
                  Log
                </button>
                {p.state === 'RUNNING' || p.state === 'STARTING' || p.state === 'BACKOFF' ? (
                  <>
                    <button
                      type="button"
                      disabled={busy !== null}
                      onClick={() => void control(p.namespec, 'restart')}
                    >
                      Restart
                    </button>
                    <button
                      type="button"
                      disabled={busy !== null}
                      onClick={() => void control(p.namespec, 'stop')}
                    >
                      Stop
                    </button>
                  </>
                ) : (
                  <button
                    type="button"
                    disabled={busy !== null}
                    onClick={() => void control(p.namespec, 'start')}
                  >
                    Start
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!snapshot && !error && !watchFailed ? <p className="muted">Reading supervisorctl status…</p> : null}
      {snapshot && snapshot.programs.length === 0 && snapshot.supervisord === 'running' ? (
        <p className="muted">supervisord runs no programs.</p>
      ) : null}
      {snapshot && snapshot.unparsed.length > 0 ? (
        <pre className="muted small" aria-label="supervisorctl lines not understood">
          {snapshot.unparsed.join('\n')}
        </pre>
      ) : null}
      {apps.length > 0 ? (
        <div className="portal-apps">
          <h3>Apps (from /etc/portal.yaml)</h3>
          <ul>
            {apps.map((a) => (
              <li key={a.name}>
                <strong>{a.name}</strong>{' '}
                <span className="muted small">
                  {a.externalPort} → {a.internalPort}
                </span>{' '}
                {a.url ? (
                  <button type="button" onClick={() => window.open(a.url!, '_blank', 'noopener')}>
                    Open {new URL(a.url).host}
                  </button>
                ) : (
                  <span className="muted small">port {a.externalPort} is not published</span>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {logOf ? <ProgramLog source={source} program={logOf} onClose={() => setLogOf(null)} /> : null}
    </div>
  );
}

function ProgramLog({
  source,
  program,
  onClose,
}: {
  source: ProgramsSource;
  program: string;
  onClose: () => void;
}) {
  const [opId, setOpId] = useState<string | null>(null);
  const op = useOperation(opId);
  useEffect(() => {
    let id: string | null = null;
    let cancelled = false;
    void source.followLog(program, 500).then((r) => {
      id = r.opId;
      if (cancelled) void api['operations:cancel']({ id: r.opId });
      else setOpId(r.opId);
    });
    return () => {
      cancelled = true;
      if (id) void api['operations:cancel']({ id }).catch(() => undefined);
    };
  }, [source, program]);
  return (
    <div className="program-log" id={`program-log-${program}`}>
      <div className="program-log-head">
        <h3>
          Log of <code>{program}</code>{' '}
          <span className="muted small">/var/log/portal/{program}.log, following</span>
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {op ? (
        <LogView
          buffer={op.log}
          version={op.version}
          label={`Log of ${program}`}
          emptyText="Nothing logged yet."
        />
      ) : null}
    </div>
  );
}
