import { useEffect } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useBuildsStore } from './builds-store';
import { BuildForm } from './BuildForm';
import { BuildDetail } from './BuildDetail';
import { formatDuration } from './build-model';
import './builds.css';

export function BuildsView() {
  const { history, selected, error, load, select } = useBuildsStore();
  useEffect(() => {
    void load();
  }, [load]);

  const record = history.find((r) => r.id === selected);
  return (
    <section className="view view-fill" aria-labelledby="builds-title">
      <header className="view-header">
        <h1 id="builds-title">Builds</h1>
        <button type="button" className="primary" onClick={() => select('new')}>
          New build
        </button>
      </header>
      <ErrorBanner message={error} />
      <div className="builds-layout">
        <nav className="build-list" aria-label="Build history">
          {history.length === 0 ? <p className="muted small">No builds yet.</p> : null}
          <ul>
            {history.map((r) => (
              <li key={r.id}>
                <button
                  type="button"
                  className={r.id === selected ? 'active' : ''}
                  aria-current={r.id === selected ? 'true' : undefined}
                  onClick={() => select(r.id)}
                >
                  <span className={`dot outcome-dot-${r.outcome}`} aria-label={r.outcome} />
                  <span className="build-name">
                    {r.params.tags[0] ?? r.params.contextDir.split('/').pop()}
                  </span>
                  <span className="muted small">
                    {new Date(r.startedAt).toLocaleTimeString()}
                    {r.durationMs !== null ? ` · ${formatDuration(r.durationMs)}` : ''}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
        <div className="build-main">
          {selected === 'new' || selected === null ? (
            <>
              <BuildForm />
              {history.length === 0 ? (
                <EmptyState title="Build your first image">
                  <p>
                    Point the form at a template folder (the demo template ships with the app). Every step,
                    its cache hits and its full log are kept, also after a restart.
                  </p>
                </EmptyState>
              ) : null}
            </>
          ) : (
            <BuildDetail key={selected} id={selected} record={record} />
          )}
        </div>
      </div>
    </section>
  );
}
