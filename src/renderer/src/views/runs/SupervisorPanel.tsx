import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { PortalApp, SupervisorSnapshot } from '../../../../shared/contract/runs';
import { api, asAppError } from '../../api';
import { useOperation } from '../../stores/operations-store';
import { LogView } from '../../log/LogView';
import type { RunData } from './runs-store';

type Snapshot = z.output<typeof SupervisorSnapshot>;
type App = z.output<typeof PortalApp>;

/**
 * Supervisor programs of a run as supervisorctl reports them, refreshed live through a status
 * operation in main; skipped programs are shown as skipped, not failed.
 */
export function SupervisorPanel({ run }: { run: RunData }) {
  const [watchOp, setWatchOp] = useState<string | null>(null);
  const [apps, setApps] = useState<App[]>([]);
  const [logOf, setLogOf] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const op = useOperation(watchOp);

  useEffect(() => {
    let opId: string | null = null;
    let cancelled = false;
    api['runs:watchStatus']({ id: run.id, intervalMs: 1500 }).then(
      (r) => {
        opId = r.opId;
        if (cancelled) void api['operations:cancel']({ id: r.opId });
        else setWatchOp(r.opId);
      },
      (err) => setError(asAppError(err).message),
    );
    api['runs:portalApps']({ id: run.id }).then(setApps, () => setApps([]));
    return () => {
      cancelled = true;
      if (opId) void api['operations:cancel']({ id: opId }).catch(() => undefined);
    };
  }, [run.id]);

  // The newest status event; the operation's replay brings it back when the view returns.
  let snapshot: Snapshot | null = null;
  for (let i = (op?.events.length ?? 0) - 1; i >= 0 && !snapshot; i--) {
    const e = op!.events[i]!;
    if (e.type === 'status') snapshot = e.data as Snapshot;
  }

  const control = async (program: string, action: 'start' | 'stop' | 'restart') => {
    setBusy(`${program}:${action}`);
    try {
      const r = await api['runs:programControl']({ id: run.id, program, action });
      if (!r.ok) setError(r.output.trim());
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setBusy(null);
    }
  };

  const hostPort = (port: number) => run.ports[`${port}/tcp`];
  return (
    <div className="supervisor">
      <div className="supervisor-head">
        <h3>Services</h3>
        <span className={`prov prov-${snapshot?.provisioning ?? 'none'}`} data-testid="provisioning">
          provisioning: {snapshot?.provisioning ?? '…'}
        </span>
        {snapshot && snapshot.supervisord !== 'running' ? (
          <span className="muted">supervisord is {snapshot.supervisord}</span>
        ) : null}
      </div>
      {error ? (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
      <table className="grid-table programs" aria-label="Supervisor programs">
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
      {!snapshot ? <p className="muted">Reading supervisorctl status…</p> : null}
      {apps.length > 0 ? (
        <div className="portal-apps">
          <h3>Apps (from /etc/portal.yaml)</h3>
          <ul>
            {apps.map((a) => {
              const port = hostPort(a.externalPort);
              return (
                <li key={a.name}>
                  <strong>{a.name}</strong>{' '}
                  <span className="muted small">
                    {a.externalPort} → {a.internalPort}
                  </span>{' '}
                  {port ? (
                    <button
                      type="button"
                      onClick={() =>
                        window.open(`http://127.0.0.1:${port}${a.openPath}`, '_blank', 'noopener')
                      }
                    >
                      Open 127.0.0.1:{port}
                    </button>
                  ) : (
                    <span className="muted small">port {a.externalPort} is not published</span>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      {logOf ? <ProgramLog runId={run.id} program={logOf} onClose={() => setLogOf(null)} /> : null}
    </div>
  );
}

function ProgramLog({ runId, program, onClose }: { runId: string; program: string; onClose: () => void }) {
  const [opId, setOpId] = useState<string | null>(null);
  const op = useOperation(opId);
  useEffect(() => {
    let id: string | null = null;
    let cancelled = false;
    void api['runs:programLogFollow']({ id: runId, program, lines: 500 }).then((r) => {
      id = r.opId;
      if (cancelled) void api['operations:cancel']({ id: r.opId });
      else setOpId(r.opId);
    });
    return () => {
      cancelled = true;
      if (id) void api['operations:cancel']({ id }).catch(() => undefined);
    };
  }, [runId, program]);
  return (
    <div className="program-log" id={`log-${program}`}>
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
