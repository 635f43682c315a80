import { useEffect, useState } from 'react';
import { Sidebar } from './components/Sidebar';
import { EngineView } from './views/EngineView';
import { TerminalsView } from './views/terminals/TerminalsView';
import { RunsView } from './views/runs/RunsView';
import { VastView } from './views/vast/VastView';
import { TunnelsView } from './views/tunnels/TunnelsView';
import { BuildsView } from './views/builds/BuildsView';
import { TemplatesView } from './views/templates/TemplatesView';
import { MonitorView } from './views/monitor/MonitorView';
import { ToastStack } from './views/monitor/ToastStack';
import { VIEWS, useNavStore, type ViewId } from './stores/nav-store';
import { useEngineStore } from './stores/engine-store';
import { isBrowserShell, onConnectionState } from './api';

const VIEW_COMPONENTS: Record<ViewId, () => React.JSX.Element> = {
  templates: TemplatesView,
  builds: BuildsView,
  runs: RunsView,
  vast: VastView,
  terminals: TerminalsView,
  tunnels: TunnelsView,
  monitor: MonitorView,
  engine: EngineView,
};

export function App() {
  const view = useNavStore((s) => s.view);
  const go = useNavStore((s) => s.go);
  const load = useEngineStore((s) => s.load);
  const [connection, setConnection] = useState<'connecting' | 'open' | 'closed'>(
    isBrowserShell ? 'connecting' : 'open',
  );

  useEffect(() => {
    onConnectionState((s) => {
      setConnection(s);
      // After a reconnect, what happened meanwhile is read again.
      if (s === 'open') void load();
    });
    void load();
  }, [load]);

  useEffect(() => {
    // Alt+1…8 switches views, as in most desktop tools.
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const target = VIEWS.find((v) => v.key === e.key);
      if (target) {
        e.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const View = VIEW_COMPONENTS[view];
  return (
    <div className="app">
      <Sidebar />
      <main className="content">
        {connection === 'closed' ? (
          <div className="banner banner-error" role="alert">
            Lost the connection to Template Studio. Reconnecting…
          </div>
        ) : null}
        <View />
      </main>
      <ToastStack />
    </div>
  );
}
