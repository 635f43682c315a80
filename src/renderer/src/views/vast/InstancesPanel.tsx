import { useMemo } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useOperation } from '../../stores/operations-store';
import { InstanceCard } from './InstanceCard';
import { LaunchProgress } from './LaunchProgress';
import { VirtualCardGrid } from './VirtualCardGrid';
import { useVastStore, type LaunchEntry } from './vast-store';

/** Above this many cards only the rows near the viewport are rendered; a few stay a plain grid. */
const VIRTUALISE_ABOVE = 40;

export function InstancesPanel({ onSearch }: { onSearch: () => void }) {
  const instances = useVastStore((s) => s.instances);
  const instancesError = useVastStore((s) => s.instancesError);
  const refreshingInstances = useVastStore((s) => s.refreshingInstances);
  const refreshInstances = useVastStore((s) => s.refreshInstances);
  const launches = useVastStore((s) => s.launches);
  // Newest first; sorted once per list, not on every render of the panel.
  const sorted = useMemo(
    () =>
      (instances ?? [])
        .slice()
        .sort((a, b) => (b.startDate ?? Infinity) - (a.startDate ?? Infinity) || b.id - a.id),
    [instances],
  );
  return (
    <div className="vast-instances">
      <div className="vast-panel-bar">
        <span className="muted">
          {instances === null
            ? 'Loading…'
            : `${instances.length} instance${instances.length === 1 ? '' : 's'}`}
          {' · '}refreshed every 10 s while this view is open
        </span>
        <button type="button" onClick={() => void refreshInstances()} disabled={refreshingInstances}>
          {refreshingInstances ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {launches.map((l) => (
        <LaunchStrip key={l.opId} launch={l} />
      ))}
      <ErrorBanner message={instancesError} />
      {instances !== null && instances.length === 0 ? (
        <EmptyState
          title="No instances"
          action={
            <button type="button" className="primary" onClick={onSearch}>
              Search offers
            </button>
          }
        >
          <p>Launch a template on an offer: its card appears here with status, price, SSH and logs.</p>
        </EmptyState>
      ) : sorted.length > VIRTUALISE_ABOVE ? (
        <VirtualCardGrid instances={sorted} />
      ) : (
        <div className="vast-instance-list">
          {sorted.map((i) => (
            <InstanceCard key={i.id} instance={i} />
          ))}
        </div>
      )}
    </div>
  );
}

/** A launch started from the offers, followed here after its dialog was closed. */
function LaunchStrip({ launch }: { launch: LaunchEntry }) {
  const dismiss = useVastStore((s) => s.dismissLaunch);
  const op = useOperation(launch.opId);
  if (op?.summary?.state === 'succeeded') return null;
  return (
    <div className="vast-launch-strip">
      <LaunchProgress opId={launch.opId} compact />
      {op?.summary && op.summary.state !== 'running' ? (
        <button type="button" className="vast-link-button" onClick={() => dismiss(launch.opId)}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}
