import { useState } from 'react';
import { asAppError } from '../../api';
import { openTunnelInBrowser, useTunnelsStore, type TunnelData } from './tunnels-store';
import './tunnels.css';

export interface DeclaredTunnelsButtonProps {
  /** A local run's id or a Vast instance's id. */
  target: string;
  /** The button's text; "Open tunnels" by default. */
  label?: string;
}

/**
 * One click: a tunnel to every port the run or instance declares (its PORTAL_CONFIG apps and its
 * ports), then an Open button per app. Self-contained: mount it on a run row or an instance card.
 */
export function DeclaredTunnelsButton({ target, label = 'Open tunnels' }: DeclaredTunnelsButtonProps) {
  const openDeclared = useTunnelsStore((s) => s.openDeclared);
  const live = useTunnelsStore((s) => s.tunnels);
  const [busy, setBusy] = useState(false);
  const [ids, setIds] = useState<string[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const result = await openDeclared(target);
      setIds(result.tunnels.map((t) => t.id));
      setNote(result.warning);
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setBusy(false);
    }
  };

  const opened: TunnelData[] = ids ? ids.flatMap((id) => live.filter((t) => t.id === id)) : [];

  return (
    <div className="declared-tunnels">
      <button type="button" onClick={() => void run()} disabled={busy} aria-label={`${label} (${target})`}>
        {busy ? 'Opening tunnels…' : label}
      </button>
      {error ? (
        <p className="declared-tunnels-error" role="alert">
          {error}
        </p>
      ) : null}
      {note ? <p className="small muted">{note}</p> : null}
      {opened.length > 0 ? (
        <ul className="declared-tunnels-list" aria-label={`Tunnels of ${target}`}>
          {opened.map((t) => (
            <li key={t.id}>
              <TunnelLink tunnel={t} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** An app's name as an Open button (up tunnels), or where the port is reachable, with its state. */
export function TunnelLink({ tunnel: t }: { tunnel: TunnelData }) {
  const [error, setError] = useState<string | null>(null);
  const where = `127.0.0.1:${t.localPort ?? '…'} → ${t.remotePort}`;
  return (
    <span className="tunnel-link">
      {t.app ? (
        <button
          type="button"
          className="link-button"
          disabled={t.state !== 'up'}
          title={`Open ${t.app.name} (${where}) in the browser`}
          onClick={() => void openTunnelInBrowser(t.id).catch((err) => setError(asAppError(err).message))}
        >
          Open {t.app.name}
        </button>
      ) : (
        <code>{where}</code>
      )}{' '}
      <span className={`tunnel-state tunnel-${t.state}`}>{t.state}</span>
      {t.error ? <span className="small muted"> {t.error.message}</span> : null}
      {error ? (
        <span className="declared-tunnels-error" role="alert">
          {' '}
          {error}
        </span>
      ) : null}
    </span>
  );
}
