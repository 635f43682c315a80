import { useCallback, useEffect, useState } from 'react';
import { asAppError } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { TerminalPane } from './TerminalPane';
import { useTerminalsStore } from './terminals-store';

export function TerminalsView() {
  const { terminals, activeId, setActive, refresh, open, close } = useTerminalsStore();
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const submit = useCallback(
    async (e: React.FormEvent) => {
      e.preventDefault();
      if (!target.trim()) return;
      setBusy(true);
      setError(null);
      try {
        await open(target.trim());
      } catch (err) {
        setError(asAppError(err).message);
      } finally {
        setBusy(false);
      }
    },
    [open, target],
  );

  return (
    <section className="view view-fill" aria-labelledby="terminals-title">
      <header className="view-header">
        <h1 id="terminals-title">Terminals</h1>
        <form className="inline-form" onSubmit={(e) => void submit(e)}>
          <input
            aria-label="Terminal target"
            placeholder="run id, instance id or root@127.0.0.1:2222"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
          />
          <button type="submit" className="primary" disabled={busy || !target.trim()}>
            {busy ? 'Connecting…' : 'Open terminal'}
          </button>
        </form>
      </header>
      {error ? (
        <div className="banner banner-error" role="alert">
          {error}
        </div>
      ) : null}
      {terminals.length === 0 ? (
        <EmptyState title="No terminals open">
          <p>Open a shell on a local run or a Vast instance from its card, or type a target above.</p>
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
                  {t.exited ? ' (ended)' : ''}
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
            <TerminalPane key={t.id} terminalId={t.id} target={t.target} active={t.id === activeId} />
          ))}
        </>
      )}
    </section>
  );
}

/** Opens a terminal for a target and switches to it; used by run and instance cards. */
export async function openTerminalFor(target: string, label?: string): Promise<void> {
  await useTerminalsStore.getState().open(target, label);
  location.hash = '#/terminals';
}
