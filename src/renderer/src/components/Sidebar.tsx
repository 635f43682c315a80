import { VIEWS, useNavStore } from '../stores/nav-store';
import { useEngineStore } from '../stores/engine-store';

export function Sidebar() {
  const view = useNavStore((s) => s.view);
  const go = useNavStore((s) => s.go);
  const status = useEngineStore((s) => s.status);
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ▣
        </span>
        Template Studio
      </div>
      <ul>
        {VIEWS.map((v) => (
          <li key={v.id}>
            <button
              type="button"
              className={view === v.id ? 'nav-item active' : 'nav-item'}
              aria-current={view === v.id ? 'page' : undefined}
              onClick={() => go(v.id)}
              title={`${v.label} (Alt+${v.key})`}
            >
              {v.label}
              {v.id === 'engine' && status ? (
                <span
                  className={status.reachable ? 'dot dot-ok' : 'dot dot-bad'}
                  aria-label={status.reachable ? 'engine reachable' : 'engine unreachable'}
                />
              ) : null}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
