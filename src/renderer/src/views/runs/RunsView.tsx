import { useEffect, useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { api, asAppError } from '../../api';
import { useAppInfo } from '../../stores/app-info-store';
import { useFocusStore } from '../../stores/focus-store';
import { useOperation } from '../../stores/operations-store';
import { LogView } from '../../log/LogView';
import { openTerminalFor } from '../terminals/TerminalsView';
import { DeclaredTunnelsButton } from '../tunnels/DeclaredTunnelsButton';
import { useRunsStore, type RunData } from './runs-store';
import { SupervisorPanel } from './SupervisorPanel';
import { RunOutput } from './RunOutput';
import { RunForm } from './RunForm';
import './runs.css';

export function RunsView() {
  const s = useRunsStore();
  const info = useAppInfo();

  useEffect(() => {
    void s.load();
    // Once, when the view opens; run:stateChanged keeps the list current.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Sent here by a notification: select its run; the run's panels open what its anchor names.
  const intent = useFocusStore((f) => f.intent);
  const select = s.select;
  const known = s.runs.some((r) => r.id === intent?.id);
  useEffect(() => {
    if (intent?.view !== 'runs' || !intent.id || !known) return;
    select(intent.id);
    if (!intent.anchor?.startsWith('program-log-')) useFocusStore.getState().done(intent);
  }, [intent, known, select]);

  const selected = s.runs.find((r) => r.id === s.selected) ?? null;
  return (
    <section className="view view-fill" aria-labelledby="runs-title">
      <header className="view-header">
        <h1 id="runs-title">Local runs</h1>
        <div className="header-actions">
          <CleanupOrphansButton />
          {info?.demoTemplate ? (
            <button
              type="button"
              className="primary"
              onClick={() => void s.start({ source: info.demoTemplate!, mode: 'ssh' })}
            >
              Run the demo (SSH mode)
            </button>
          ) : null}
        </div>
      </header>
      <RunForm />
      <ErrorBanner message={s.error} />
      {s.startingOp ? <StartProgress opId={s.startingOp} onDone={s.clearStarting} /> : null}
      {s.runs.length === 0 && !s.startingOp ? (
        <EmptyState title="Nothing running locally">
          <p>
            Run a template on this machine exactly the way Vast launches it: the same entrypoint replacement,
            sshd, injected variables and ports. Then log in, open its apps and watch its services.
          </p>
        </EmptyState>
      ) : (
        <div className="runs-layout">
          <ul className="run-list" aria-label="Runs">
            {s.runs.map((r) => (
              <li key={r.id}>
                <RunRow run={r} active={r.id === s.selected} onSelect={() => s.select(r.id)} />
              </li>
            ))}
          </ul>
          {selected ? <RunDetail key={selected.id} run={selected} /> : null}
        </div>
      )}
    </section>
  );
}

function RunRow({ run, active, onSelect }: { run: RunData; active: boolean; onSelect: () => void }) {
  return (
    <button
      type="button"
      className={active ? 'run-row active' : 'run-row'}
      aria-current={active ? 'true' : undefined}
      onClick={onSelect}
    >
      <span className={`dot run-dot-${run.state}`} aria-hidden="true" />
      <span className="run-name">{run.name}</span>
      <span className="badge">{run.mode}</span>
      <span className="muted small run-sub">
        {run.image} · {run.state}
        {run.state === 'running' && run.startedAt !== null ? <Uptime since={run.startedAt} /> : null}
      </span>
      {Object.keys(run.ports).length > 0 ? (
        <span className="muted small run-sub run-ports" title="Container port → host port on 127.0.0.1">
          {Object.entries(run.ports)
            .map(([port, host]) => `${port.replace(/\/tcp$/, '')}→${host}`)
            .join('  ')}
        </span>
      ) : null}
    </button>
  );
}

/** " · up 12 s", counting on by itself: the list is not refetched every second. */
function Uptime({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <> · up {formatUptime(Math.max(0, Math.floor((now - since) / 1000)))}</>;
}

function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  return h < 48 ? `${h} h ${Math.floor((seconds % 3600) / 60)} min` : `${Math.floor(h / 24)} days`;
}

function RunDetail({ run }: { run: RunData }) {
  const { act } = useRunsStore();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = run.state === 'running';
  const copySsh = async () => {
    try {
      const { command } = await api['ssh:command']({ target: run.id });
      await navigator.clipboard.writeText(command);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch (err) {
      setError(asAppError(err).message);
    }
  };
  return (
    <article className="run-detail" aria-label={`Run ${run.name}`}>
      <header className="run-detail-head">
        <div>
          <h2>
            {run.name}{' '}
            <span className={`state state-${run.state.toUpperCase()}`} data-testid="run-state">
              {run.state}
            </span>
          </h2>
          <div className="muted small">
            {run.mode} mode · {run.image} · {run.containerLabel} ·{' '}
            {run.cpuOnly ? 'CPU only (GPU_COUNT=0)' : 'GPUs passed through'}
            {typeof run.readyMs === 'number' ? (
              <span data-testid="run-ready-time"> · ready in {(run.readyMs / 1000).toFixed(1)} s</span>
            ) : null}
          </div>
        </div>
        <div className="row-actions">
          {/* No sshd in args mode: the terminal goes through docker exec instead. */}
          <button
            type="button"
            className="primary"
            disabled={!running}
            title={
              run.ssh ? 'A shell over SSH, as on Vast' : 'A shell through docker exec (no sshd in args mode)'
            }
            onClick={() =>
              void openTerminalFor(run.id, run.name, run.ssh ? 'ssh' : 'docker-exec').catch((err) =>
                setError(asAppError(err).message),
              )
            }
          >
            {run.ssh ? 'Terminal' : 'Terminal (docker exec)'}
          </button>
          {run.ssh ? (
            <button type="button" onClick={() => void copySsh()}>
              {copied ? 'Copied' : 'Copy SSH command'}
            </button>
          ) : null}
          {running ? (
            <>
              <button type="button" onClick={() => void act(run.id, 'restart')}>
                Restart
              </button>
              <button type="button" onClick={() => void act(run.id, 'stop')}>
                Stop
              </button>
            </>
          ) : (
            <button type="button" onClick={() => void act(run.id, 'resume')}>
              Start
            </button>
          )}
          <button type="button" className="danger" onClick={() => void act(run.id, 'remove')}>
            Remove
          </button>
        </div>
      </header>
      {error ? (
        <p className="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
      <dl className="facts">
        {run.ssh ? (
          <>
            <dt>SSH</dt>
            <dd>
              <code>
                ssh -i {run.ssh.identityFile} -p {run.ssh.port} {run.ssh.user}@{run.ssh.host}
              </code>
            </dd>
          </>
        ) : null}
        <dt>Ports</dt>
        <dd className="chips-line">
          {Object.entries(run.ports).map(([k, v]) => (
            <code key={k}>
              {k} → 127.0.0.1:{v}
            </code>
          ))}
          {Object.keys(run.ports).length === 0 ? <span className="muted small">none published</span> : null}
        </dd>
        {run.ssh && running ? (
          <>
            <dt>Tunnels</dt>
            <dd>
              {/* The published ports work without it; tunnels are what works on Vast too. */}
              <DeclaredTunnelsButton target={run.id} label="Open tunnels to its apps" />
            </dd>
          </>
        ) : null}
        {run.workspace ? (
          <>
            <dt>Workspace</dt>
            <dd>
              <code>
                {run.workspace.kind === 'volume' ? `volume:${run.workspace.source}` : run.workspace.source} →{' '}
                {run.workspace.target}
              </code>{' '}
              <span className="muted small">ACL: {run.workspace.acl}</span>
            </dd>
          </>
        ) : null}
        <dt>Source</dt>
        <dd>
          <code>{run.source}</code>
        </dd>
      </dl>
      <RunOutput run={run} />
      {/* Every mode: in args mode the image's own entrypoint may start supervisord (the demo's does). */}
      {running ? <SupervisorPanel run={run} /> : null}
      {!running ? (
        <p className="muted">
          The run is {run.state}. Start it to see its services; onstart runs again, as on Vast.
        </p>
      ) : null}
    </article>
  );
}

/** Removes runs nobody will come back to (runs:cleanupOrphans) and says what went. */
function CleanupOrphansButton() {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const clean = async () => {
    setBusy(true);
    setNote(null);
    setError(null);
    try {
      const { removed } = await api['runs:cleanupOrphans']({});
      setNote(
        removed.length === 0
          ? 'Nothing to clean up.'
          : `Removed ${removed.length} orphan run${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}`,
      );
    } catch (err) {
      setError(asAppError(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {note || error ? (
        <span className={error ? 'cleanup-note cleanup-error' : 'cleanup-note muted small'} role="status">
          {error ?? note}
        </span>
      ) : null}
      <button
        type="button"
        disabled={busy}
        onClick={() => void clean()}
        title="Remove stopped runs of a smoke that was killed, and runs created over 10 minutes ago that never started"
      >
        {busy ? 'Cleaning up…' : 'Clean up orphans'}
      </button>
    </>
  );
}

const STEP_TEXT: Record<string, string> = {
  resolve: 'Finding the image…',
  check: 'Checking what would break (sshd, ports, image)…',
  build: 'Building the image…',
  create: 'Creating the container the way Vast does…',
  start: 'Starting…',
  ssh: 'SSH answers; waiting for provisioning…',
  wait: 'Waiting until SSH answers and /.provisioning is gone…',
};

function stepText(data: { step?: string; image?: string }): string {
  if (data.step === 'build' && data.image) return `Building ${data.image}…`;
  return STEP_TEXT[data.step ?? ''] ?? data.step ?? '';
}

function StartProgress({ opId, onDone }: { opId: string; onDone: () => void }) {
  const op = useOperation(opId);
  const state = op?.summary?.state ?? 'running';
  const steps = (op?.events ?? [])
    .filter((e) => e.type === 'step')
    .map((e) => stepText(e.data as { step?: string; image?: string }));
  const warnings = (op?.events ?? [])
    .filter((e) => e.type === 'warning')
    .map((e) => String((e.data as { message?: string })?.message ?? e.data));
  const result = op?.summary?.result as { readyMs?: number; run?: { id: string } } | undefined;
  useEffect(() => {
    if (state === 'succeeded' && result?.run) useRunsStore.getState().select(result.run.id);
  }, [state, result]);
  return (
    <div className={`start-progress start-${state}`} role="status" aria-label="Run progress">
      <div className="start-head">
        <strong>
          {state === 'running'
            ? 'Starting…'
            : state === 'succeeded'
              ? `Ready in ${((result?.readyMs ?? 0) / 1000).toFixed(1)} s`
              : state === 'cancelled'
                ? 'Cancelled'
                : 'The run failed'}
        </strong>
        {steps.length && state === 'running' ? <span className="muted small"> {steps.at(-1)}</span> : null}
        {state === 'running' ? (
          <button type="button" onClick={() => void api['operations:cancel']({ id: opId })}>
            Cancel
          </button>
        ) : (
          <button type="button" onClick={onDone}>
            Dismiss
          </button>
        )}
      </div>
      {op?.summary?.error ? <p className="banner banner-error">{op.summary.error.message}</p> : null}
      {warnings.map((w, i) => (
        <p key={i} className="muted small">
          ⚠ {w}
        </p>
      ))}
      {op && op.log.length > 0 && state !== 'succeeded' ? (
        <div className="start-log">
          <LogView buffer={op.log} version={op.version} label="Build output" />
        </div>
      ) : null}
    </div>
  );
}
