import { memo, useState } from 'react';
import { api, asAppError } from '../../api';
import { LogView } from '../../log/LogView';
import { LogBuffer } from '../../log/log-buffer';
import { openTerminalFor } from '../terminals/TerminalsView';
import { DestroyDialog } from './DestroyDialog';
import { duration, gb, perHour } from './format';
import { BootProgress } from '../monitor/BootProgress';
import { InstanceMetricsPanel } from '../instances/InstanceMetricsPanel';
import { InstancePrograms } from '../instances/InstancePrograms';
import { DeclaredTunnelsButton } from '../tunnels/DeclaredTunnelsButton';
import { InstanceLiveStats } from './InstanceLiveStats';
import './instance-card.css';
import { LaunchProgress } from './LaunchProgress';
import { useVastStore, type InstanceData } from './vast-store';
import { ErrorBanner } from '../../components/ErrorBanner';

type Busy = null | 'start' | 'stop' | 'reboot' | 'label' | 'logs' | 'key' | 'terminal' | 'wait';

/** How a status reads at a glance: green when it runs as intended, amber while moving, red when stuck. */
function statusTone(i: InstanceData): 'ok' | 'moving' | 'bad' | 'idle' {
  if (i.actualStatus === 'running' && i.intendedStatus !== 'stopped') return 'ok';
  if (i.actualStatus === 'exited' && i.intendedStatus === 'running') return 'bad';
  if (i.actualStatus === 'stopped' || i.actualStatus === 'exited') return 'idle';
  return 'moving';
}

/**
 * Whether two readings of an instance show the same card. Uptime and cost move on every poll, but
 * the card shows uptime in minutes: a poll that moved only seconds renders nothing.
 */
function sameCard(a: InstanceData, b: InstanceData): boolean {
  if (a === b) return true;
  for (const k of Object.keys(a) as (keyof InstanceData)[]) {
    if (k === 'uptimeSeconds' || k === 'costSoFar') continue;
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || JSON.stringify(x) !== JSON.stringify(y))
      return false;
  }
  return (
    Object.keys(a).length === Object.keys(b).length && duration(a.uptimeSeconds) === duration(b.uptimeSeconds)
  );
}

export const InstanceCard = memo(
  function InstanceCard({ instance: i }: { instance: InstanceData }) {
    return <Card instance={i} />;
  },
  (a, b) => sameCard(a.instance, b.instance),
);

function Card({ instance: i }: { instance: InstanceData }) {
  const instanceAction = useVastStore((s) => s.instanceAction);
  const relabel = useVastStore((s) => s.relabel);
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [editingLabel, setEditingLabel] = useState<string | null>(null);
  const [logs, setLogs] = useState<LogBuffer | null>(null);
  const [waitOp, setWaitOp] = useState<string | null>(null);
  const [destroying, setDestroying] = useState(false);
  const [showBoot, setShowBoot] = useState(false);
  // Read over SSH while open: each open card runs a watch, so it is the user's choice, not the default.
  const [showPrograms, setShowPrograms] = useState(false);

  const running = i.actualStatus === 'running';
  const stopped =
    i.actualStatus === 'stopped' || i.actualStatus === 'exited' || i.intendedStatus === 'stopped';
  const name = i.label || `instance ${i.id}`;
  // While it boots, its boot shows by itself; afterwards on request (it is read from the container).
  const booting = i.actualStatus === 'loading' || i.actualStatus === 'created';

  const act = async (what: Exclude<Busy, null>, work: () => Promise<string | void>) => {
    setBusy(what);
    setError(null);
    setNote(null);
    try {
      const done = await work();
      if (done) setNote(done);
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setBusy(null);
    }
  };

  const loadLogs = () =>
    act('logs', async () => {
      const { text } = await api['vast:logs']({ id: i.id, tail: 5000 });
      const buffer = new LogBuffer();
      buffer.append(text);
      setLogs(buffer);
    });

  const tone = statusTone(i);
  return (
    <article
      className={`vast-instance vast-instance-${tone}${logs || (showPrograms && running) ? ' vast-instance-wide' : ''}`}
      aria-label={`Instance ${i.id}`}
      id={`instance-${i.id}`}
      data-instance-id={i.id}
    >
      <header className="vast-instance-head">
        <div className="vast-instance-title">
          <h3 title={name}>{name}</h3>
          <span className="muted">#{i.id}</span>
          {i.createdByApp ? <span className="vast-chip">created by the app</span> : null}
        </div>
        <span className={`vast-status vast-status-${tone}`} data-testid="instance-status">
          {i.actualStatus ?? 'provisioning'}
          {i.intendedStatus && i.intendedStatus !== i.actualStatus ? (
            <span className="vast-status-intended"> → {i.intendedStatus}</span>
          ) : null}
        </span>
      </header>
      {i.statusMsg ? (
        <p className="vast-status-msg" title={i.statusMsg}>
          {i.statusMsg}
        </p>
      ) : null}
      <InstanceLiveStats id={i.id} name={name} uptimeSeconds={i.uptimeSeconds} />
      <dl className="vast-instance-facts">
        <dt>GPU</dt>
        <dd>{i.gpuName ? `${i.numGpus ?? 1}× ${i.gpuName}` : '—'}</dd>
        <dt>Price</dt>
        <dd>{perHour(i.dphTotal)}</dd>
        <dt>SSH</dt>
        <dd className="wide vast-ssh">
          {i.ssh ? (
            <>
              <code>
                ssh -p {i.ssh.port} root@{i.ssh.host}
              </code>{' '}
              <span className="vast-chip">{i.ssh.kind}</span>
            </>
          ) : (
            <span className="muted">{running ? 'no SSH endpoint' : 'when running'}</span>
          )}
        </dd>
        <dt>Ports</dt>
        <dd className="wide">
          {i.ports.length ? (
            <span className="vast-ports">
              {i.ports.map((p) => (
                <code key={p.container} title={`${i.publicIp ?? 'public IP'}:${p.hostPort}`}>
                  {p.container}→{p.hostPort}
                </code>
              ))}
            </span>
          ) : (
            <span className="muted">{running ? 'none' : 'published while running'}</span>
          )}
        </dd>
        <dt>Image</dt>
        <dd className="wide vast-ellipsis" title={i.image ?? undefined}>
          {i.image ?? '—'} {i.runtype ? <span className="muted">({i.runtype})</span> : null}
        </dd>
        <dt>Where</dt>
        <dd className="wide">
          {i.geolocation ?? '—'} · disk {gb(i.diskSpaceGb)}
        </dd>
      </dl>

      {editingLabel !== null ? (
        <form
          className="inline-form vast-relabel"
          onSubmit={(e) => {
            e.preventDefault();
            void act('label', async () => {
              await relabel(i.id, editingLabel.trim());
              setEditingLabel(null);
            });
          }}
        >
          <input
            aria-label={`New label for instance ${i.id}`}
            value={editingLabel}
            onChange={(e) => setEditingLabel(e.target.value)}
            maxLength={1024}
            autoFocus
          />
          <button type="submit" className="primary" disabled={busy === 'label'}>
            Save label
          </button>
          <button type="button" onClick={() => setEditingLabel(null)}>
            Cancel
          </button>
        </form>
      ) : null}

      <div className="vast-actions" role="group" aria-label={`Actions for instance ${i.id}`}>
        <button
          type="button"
          className="primary"
          disabled={!running || busy !== null}
          title={running ? 'A shell on the instance, in the Terminals view' : 'The instance is not running'}
          onClick={() =>
            void act('terminal', async () => {
              await openTerminalFor(String(i.id), name);
            })
          }
        >
          {busy === 'terminal' ? 'Connecting…' : 'Open terminal'}
        </button>
        {!running && !stopped ? (
          <button
            type="button"
            disabled={waitOp !== null || busy !== null}
            onClick={() =>
              void act('wait', async () => {
                setWaitOp((await api['vast:waitRunning']({ id: i.id })).opId);
              })
            }
          >
            Wait until running
          </button>
        ) : null}
        {stopped ? (
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => void act('start', () => instanceAction(i.id, 'start'))}
          >
            {busy === 'start' ? 'Starting…' : 'Start'}
          </button>
        ) : (
          <button
            type="button"
            disabled={busy !== null}
            onClick={() => void act('stop', () => instanceAction(i.id, 'stop'))}
          >
            {busy === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
        )}
        <button
          type="button"
          disabled={!running || busy !== null}
          onClick={() => void act('reboot', () => instanceAction(i.id, 'reboot'))}
        >
          {busy === 'reboot' ? 'Rebooting…' : 'Reboot'}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => setEditingLabel(i.label ?? '')}>
          Relabel
        </button>
        <button type="button" aria-pressed={showBoot} onClick={() => setShowBoot(!showBoot)}>
          Boot
        </button>
        <button
          type="button"
          aria-expanded={showPrograms && running}
          disabled={!running}
          title={
            running ? 'Supervisor programs and utilisation, read over SSH' : 'The instance is not running'
          }
          onClick={() => setShowPrograms(!showPrograms)}
        >
          Programs
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => (logs ? setLogs(null) : void loadLogs())}
        >
          {busy === 'logs' ? 'Fetching logs…' : logs ? 'Hide logs' : 'Logs'}
        </button>
        <button
          type="button"
          disabled={!running || busy !== null}
          title="Adds the app's public key to the instance, so terminals and tunnels can log in"
          onClick={() =>
            void act('key', async () => {
              const { publicKey } = await api['ssh:publicKey']({});
              await api['vast:attachSshKey']({ id: i.id, publicKey });
              return "The app's SSH key is attached.";
            })
          }
        >
          {busy === 'key' ? 'Attaching…' : "Attach the app's SSH key"}
        </button>
        <span className="vast-spacer" />
        <button type="button" className="vast-danger" onClick={() => setDestroying(true)}>
          Destroy…
        </button>
      </div>

      {note ? (
        <p className="vast-note" role="status">
          {note}
        </p>
      ) : null}
      <ErrorBanner message={error} />
      {waitOp ? (
        <div className="vast-wait">
          <LaunchProgress opId={waitOp} compact />
          <button type="button" className="vast-link-button" onClick={() => setWaitOp(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {showBoot || booting ? <BootProgress target={`instance:${i.id}`} /> : null}
      {running ? (
        <div className="vast-tunnels">
          <DeclaredTunnelsButton target={String(i.id)} label="Open its tunnels" />
        </div>
      ) : null}
      {showPrograms && running ? (
        <>
          <InstanceMetricsPanel instanceId={i.id} />
          <InstancePrograms instanceId={i.id} />
        </>
      ) : null}
      {logs ? (
        <div className="vast-logs">
          <div className="vast-logs-bar">
            <span className="muted">Container logs (read-only, last 5000 lines)</span>
            <button type="button" onClick={() => void loadLogs()} disabled={busy === 'logs'}>
              Refresh logs
            </button>
          </div>
          <div className="vast-logs-body">
            <LogView
              buffer={logs}
              version={logs.version}
              label={`Logs of instance ${i.id}`}
              emptyText="No log output yet."
            />
          </div>
        </div>
      ) : null}
      {destroying ? <DestroyDialog instance={i} onClose={() => setDestroying(false)} /> : null}
    </article>
  );
}
