import { useEffect, useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { api, asAppError } from '../../api';
import { useTunnelsStore, type TunnelData } from './tunnels-store';
import { formatBytes } from '../builds/build-model';

const STATE_TEXT: Record<TunnelData['state'], string> = {
  idle: 'idle',
  connecting: 'connecting…',
  up: 'up',
  retrying: 'retrying…',
  failed: 'failed',
};

export function TunnelsView() {
  const { tunnels, error, load, open, close } = useTunnelsStore();
  const [target, setTarget] = useState('');
  const [remotePort, setRemotePort] = useState('');
  const [localPort, setLocalPort] = useState('0');
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const [copyError, setCopyError] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

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
      setCopyError(asAppError(err).message);
    }
  };

  return (
    <section className="view" aria-labelledby="tunnels-title">
      <header className="view-header">
        <h1 id="tunnels-title">Tunnels</h1>
      </header>
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
      {(error ?? copyError) ? (
        <div className="banner banner-error" role="alert">
          {error ?? copyError}
        </div>
      ) : null}
      {tunnels.length === 0 ? (
        <EmptyState title="No tunnels open">
          <p>
            Open a tunnel from a local run or a Vast instance to reach its web apps on 127.0.0.1, or forward
            any port above.
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
              <th>In / out</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tunnels.map((t) => (
              <tr key={t.id} data-testid={`tunnel-${t.remotePort}`}>
                <td>
                  <code>127.0.0.1:{t.localPort ?? '…'}</code>
                </td>
                <td>
                  <code>
                    {t.remoteHost}:{t.remotePort}
                  </code>
                </td>
                <td className="muted">
                  {t.target.user}@{t.target.host}:{t.target.port}
                </td>
                <td>
                  <span className={`tunnel-state tunnel-${t.state}`}>{STATE_TEXT[t.state]}</span>
                  {t.error ? <div className="small muted">{t.error.message}</div> : null}
                </td>
                <td>
                  {t.activeConnections} open · {t.totalConnections} total
                </td>
                <td>
                  {formatBytes(t.bytesIn)} / {formatBytes(t.bytesOut)}
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    disabled={t.state !== 'up' || t.localPort === null}
                    onClick={() => window.open(`http://127.0.0.1:${t.localPort}/`, '_blank', 'noopener')}
                  >
                    Open
                  </button>
                  <button type="button" onClick={() => void copyCommand(t)}>
                    {copied === t.id ? 'Copied' : 'Copy SSH command'}
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
