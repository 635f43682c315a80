import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, asAppError } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TerminalPane } from './TerminalPane';
import { useTerminalsStore, type TerminalVia } from './terminals-store';

type LocalRun = Awaited<ReturnType<(typeof api)['runs:list']>>[number];

/** The local runs a terminal can open on, for the target picker (failing silently: typing still works). */
function useRunningRuns() {
  const [runs, setRuns] = useState<LocalRun[]>([]);
  const reload = useCallback(() => {
    api['runs:list']({}).then(
      (list) => setRuns(list.filter((r) => r.state === 'running')),
      () => undefined,
    );
  }, []);
  useEffect(reload, [reload]);
  return { runs, reload };
}

export function TerminalsView() {
  const { terminals, activeId, setActive, refresh, open, close } = useTerminalsStore();
  const [target, setTarget] = useState('');
  const [via, setVia] = useState<TerminalVia>('ssh');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { runs, reload } = useRunningRuns();

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // What the typed target is decides the ways in: docker exec needs a local run, SSH needs an sshd.
  const run = useMemo(() => {
    const t = target.trim();
    return t ? (runs.find((r) => r.id === t || r.name === t || r.containerId === t) ?? null) : null;
  }, [runs, target]);
  const sshPossible = run ? run.ssh !== null : true;
  const execPossible = run !== null;
  const chosen: TerminalVia = !sshPossible ? 'docker-exec' : !execPossible ? 'ssh' : via;
  const hint = run
    ? run.ssh
      ? `Local run ${run.name} (${run.mode} mode): SSH or docker exec.`
      : `Local run ${run.name} is in ${run.mode} mode, which starts no sshd: docker exec only.`
    : 'Not a local run this app knows: SSH only (docker exec is for local runs, listed as you type).';

  const submit = useCallback(
    async (e: React.FormEvent) => {
      e.preventDefault();
      if (!target.trim()) return;
      setBusy(true);
      setError(null);
      try {
        const label = run ? (chosen === 'docker-exec' ? `${run.name} · docker exec` : run.name) : undefined;
        await open(run && chosen === 'docker-exec' ? run.id : target.trim(), label, chosen);
      } catch (err) {
        setError(asAppError(err).message);
      } finally {
        setBusy(false);
      }
    },
    [open, target, run, chosen],
  );

  return (
    <section className="view view-fill" aria-labelledby="terminals-title">
      <header className="view-header">
        <h1 id="terminals-title">Terminals</h1>
        <form className="inline-form" onSubmit={(e) => void submit(e)}>
          <input
            aria-label="Terminal target"
            placeholder="run id, instance id or root@127.0.0.1:2222"
            list="terminal-runs"
            value={target}
            onFocus={reload}
            onChange={(e) => setTarget(e.target.value)}
          />
          <datalist id="terminal-runs">
            {runs.map((r) => (
              <option key={r.id} value={r.id}>
                {`${r.name} · ${r.mode} mode${r.ssh ? '' : ' (no sshd)'}`}
              </option>
            ))}
          </datalist>
          <label className="muted small" title={hint}>
            Via{' '}
            <select
              aria-label="Open the terminal via"
              value={chosen}
              onChange={(e) => setVia(e.target.value as TerminalVia)}
            >
              <option value="ssh" disabled={!sshPossible}>
                SSH
              </option>
              <option value="docker-exec" disabled={!execPossible}>
                docker exec
              </option>
            </select>
          </label>
          <button type="submit" className="primary" disabled={busy || !target.trim()}>
            {busy ? 'Connecting…' : 'Open terminal'}
          </button>
        </form>
      </header>
      {target.trim() ? (
        <p className="muted small" data-testid="terminal-via-hint">
          {hint}
        </p>
      ) : null}
      <ErrorBanner message={error} />
      {terminals.length === 0 ? (
        <EmptyState title="No terminals open">
          <p>
            Open a shell on a local run or a Vast instance from its card, or type a target above. A local run
            can also be reached through docker exec, which needs no sshd.
          </p>
        </EmptyState>
      ) : (
        <>
          <div className="tabs" role="tablist" aria-label="Terminals">
            {terminals.map((t) => (
              <div key={t.id} className={t.id === activeId ? 'tab active' : 'tab'}>
                <button
                  type="button"
                  role="tab"
                  aria-selected={t.id === activeId}
                  onClick={() => setActive(t.id)}
                >
                  {t.label}
                  {t.state !== 'open' ? (
                    <span className={`tab-badge tab-badge-${t.state}`}>
                      {t.state === 'reconnecting' ? 'reconnecting…' : 'ended'}
                    </span>
                  ) : null}
                </button>
                <button
                  type="button"
                  className="tab-close"
                  aria-label={`Close ${t.label}`}
                  onClick={() => void close(t.id)}
                >
                  ×
                </button>
              </div>
            ))}
          </div>
          {terminals.map((t) => (
            <TerminalPane
              key={t.id}
              terminalId={t.id}
              target={t.target}
              via={t.via}
              state={t.state}
              active={t.id === activeId}
            />
          ))}
        </>
      )}
    </section>
  );
}

/** Opens a terminal for a target and switches to it; used by run and instance cards. */
export async function openTerminalFor(
  target: string,
  label?: string,
  via: TerminalVia = 'ssh',
): Promise<void> {
  await useTerminalsStore.getState().open(target, label, via);
  location.hash = '#/terminals';
}
