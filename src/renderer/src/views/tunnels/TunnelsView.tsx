import { useEffect, useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { api, asAppError } from '../../api';
import { openTunnelInBrowser, useTunnelsStore, type TunnelData } from './tunnels-store';
import { DeclaredTunnelsButton } from './DeclaredTunnelsButton';
import { formatBytes } from '../builds/build-model';
import { useVastStore } from '../vast/vast-store';
import './tunnels.css';

const STATE_TEXT: Record<TunnelData['state'], string> = {
  idle: 'idle',
  connecting: 'connecting…',
  up: 'up',
  retrying: 'retrying…',
  failed: 'failed',
};

interface TargetChoice {
  ref: string;
  text: string;
}

/** Running local runs (asked for here) and the Vast instances the Vast view already knows. */
function useTargetChoices(): TargetChoice[] {
  const [runs, setRuns] = useState<TargetChoice[]>([]);
  const instances = useVastStore((s) => s.instances);
  useEffect(() => {
    let live = true;
    api['runs:list']({})
      .then((list) => {
        if (!live) return;
        setRuns(
          list
            .filter((r) => r.state === 'running' && r.ssh)
            .map((r) => ({ ref: r.id, text: `Run ${r.name} (${r.id})` })),
        );
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  const fromVast = (instances ?? [])
    .filter((i) => i.actualStatus === 'running')
    .map((i) => ({ ref: String(i.id), text: `Instance ${i.id}${i.label ? ` (${i.label})` : ''}` }));
  return [...runs, ...fromVast];
}

export function TunnelsView() {
  const { tunnels, error, load, open, reopen, close } = useTunnelsStore();
  const choices = useTargetChoices();
  const [picked, setPicked] = useState('');
  const [target, setTarget] = useState('');
  const [remotePort, setRemotePort] = useState('');
  const [localPort, setLocalPort] = useState('0');
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const chosen = picked || choices[0]?.ref || '';

  const copyCommand = async (t: TunnelData) => {
    try {
      const { command } = await api['ssh:command']({
        target: t.target,
        forwards: [
          {
            localPort: t.localPort ?? (t.requestedLocalPort || t.remotePort),
            remotePort: t.remotePort,
            remoteHost: t.remoteHost,
          },
        ],
      });
      await navigator.clipboard.writeText(command);
      setCopied(t.id);
      setTimeout(() => setCopied(null), 1500);
    } catch (err) {
      setActionError(asAppError(err).message);
    }
  };

  const openInBrowser = (t: TunnelData) => {
    setActionError(null);
    void openTunnelInBrowser(t.id).catch((err) => setActionError(asAppError(err).message));
  };

  return (
    <section className="view" aria-labelledby="tunnels-title">
      <header className="view-header">
        <h1 id="tunnels-title">Tunnels</h1>
      </header>
      <div className="inline-form tunnel-form declared-picker" role="group" aria-label="Declared tunnels">
        <select
          aria-label="Run or instance"
          value={chosen}
          onChange={(e) => setPicked(e.target.value)}
          disabled={choices.length === 0}
        >
          {choices.length === 0 ? <option value="">No running run or instance</option> : null}
          {choices.map((c) => (
            <option key={c.ref} value={c.ref}>
              {c.text}
            </option>
          ))}
        </select>
        {chosen ? (
          <DeclaredTunnelsButton key={chosen} target={chosen} label="Open its declared tunnels" />
        ) : null}
      </div>
      <form
        className="inline-form tunnel-form"
        aria-label="Open a tunnel"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          void open(target.trim(), Number(remotePort), Number(localPort) || 0).finally(() => setBusy(false));
        }}
      >
        <input
          aria-label="Tunnel target"
          placeholder="run id, instance id or root@127.0.0.1:2222"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
        <input
          aria-label="Remote port"
          placeholder="remote port"
          inputMode="numeric"
          value={remotePort}
          onChange={(e) => setRemotePort(e.target.value)}
          className="port-input"
        />
        <input
          aria-label="Local port"
          placeholder="local port (0 = any)"
          inputMode="numeric"
          value={localPort}
          onChange={(e) => setLocalPort(e.target.value)}
          className="port-input"
        />
        <button type="submit" className="primary" disabled={busy || !target.trim() || !Number(remotePort)}>
          {busy ? 'Opening…' : 'Open tunnel'}
        </button>
      </form>
      <ErrorBanner message={error ?? actionError} />
      {tunnels.length === 0 ? (
        <EmptyState title="No tunnels open">
          <p>
            Pick a running run or instance above to reach every web app it declares on 127.0.0.1, or forward
            any port by hand. Open tunnels come back when the app restarts.
          </p>
        </EmptyState>
      ) : (
        <table className="grid-table tunnels-table" aria-label="Tunnels">
          <thead>
            <tr>
              <th>Local</th>
              <th>Remote</th>
              <th>Through</th>
              <th>State</th>
              <th>Connections</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tunnels.map((t) => (
              <tr key={t.id} data-testid={`tunnel-${t.remotePort}`}>
                <td>
                  {t.localPort === null && t.requestedLocalPort === 0 && t.state === 'failed' ? (
                    <span className="muted">not bound</span>
                  ) : (
                    <code>127.0.0.1:{t.localPort ?? (t.requestedLocalPort || '…')}</code>
                  )}
                </td>
                <td className="tunnel-remote">
                  {t.app ? (
                    <div className="tunnel-app" title={t.app.name}>
                      {t.app.name}
                    </div>
                  ) : null}
                  <code>
                    {t.remoteHost}:{t.remotePort}
                  </code>
                </td>
                <td className="tunnel-through">
                  <div className="tunnel-ref" title={t.targetRef}>
                    {t.targetRef}
                  </div>
                  <div className="small muted">
                    {t.target.user}@{t.target.host}:{t.target.port}
                  </div>
                </td>
                <td className="tunnel-state-cell">
                  <span className={`tunnel-state tunnel-${t.state}`}>{STATE_TEXT[t.state]}</span>
                  {t.error ? <div className="small tunnel-error">{t.error.message}</div> : null}
                </td>
                <td className="tunnel-traffic">
                  <div>
                    {t.activeConnections} open · {t.totalConnections} total
                  </div>
                  <div className="small muted">
                    {formatBytes(t.bytesIn)} in / {formatBytes(t.bytesOut)} out
                  </div>
                </td>
                <td className="row-actions">
                  {t.state === 'failed' ? (
                    <button
                      type="button"
                      onClick={() => void reopen(t.id)}
                      aria-label={`Retry tunnel to ${t.remotePort}`}
                    >
                      Retry
                    </button>
                  ) : (
                    <button
                      type="button"
                      disabled={t.state !== 'up' || t.localPort === null}
                      onClick={() => openInBrowser(t)}
                      title={t.app ? `Open ${t.app.name} in the browser` : 'Open in the browser'}
                      aria-label={t.app ? `Open ${t.app.name}` : `Open 127.0.0.1:${t.localPort ?? ''}`}
                    >
                      Open
                    </button>
                  )}
                  <button
                    type="button"
                    onClick={() => void copyCommand(t)}
                    title="Copy the OpenSSH command line that opens the same tunnel (ssh -L …)"
                    aria-label={`Copy SSH command for the tunnel to ${t.remotePort}`}
                  >
                    {copied === t.id ? 'Copied' : 'Copy SSH'}
                  </button>
                  <button
                    type="button"
                    onClick={() => void close(t.id)}
                    aria-label={`Close tunnel to ${t.remotePort}`}
                  >
                    Close
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
