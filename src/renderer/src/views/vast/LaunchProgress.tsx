import { useEffect } from 'react';
import { api } from '../../api';
import { useOperation } from '../../stores/operations-store';
import { useVastStore, type InstanceData } from './vast-store';

const LOG_LINES_SHOWN = 6;

/**
 * A launch (or a wait) followed through its operation: the instance id once created, then each
 * status Vast reports, and a clear failure. Progress also updates the instance card at once.
 */
export function LaunchProgress({ opId, compact = false }: { opId: string; compact?: boolean }) {
  const op = useOperation(opId);
  const upsertInstance = useVastStore((s) => s.upsertInstance);
  const refreshInstances = useVastStore((s) => s.refreshInstances);

  const created = op?.events.findLast((e) => e.type === 'created')?.data as
    { instanceId: number; label?: string } | undefined;
  const progress = op?.events.findLast((e) => e.type === 'progress')?.data as InstanceData | undefined;
  const state = op?.summary?.state ?? 'running';

  useEffect(() => {
    // Only while it runs: an old operation's last progress must not bring back a card since destroyed.
    if (progress && state === 'running') upsertInstance(progress);
  }, [progress, state, upsertInstance]);
  const createdId = created?.instanceId;
  useEffect(() => {
    // The card should appear the moment the instance exists, not at the next poll.
    if (createdId !== undefined) void refreshInstances();
  }, [createdId, refreshInstances]);
  useEffect(() => {
    if (state !== 'running') void refreshInstances();
  }, [state, refreshInstances]);

  if (!op) return null;
  const lines = op.log.lines.slice(-LOG_LINES_SHOWN);
  const status = progress
    ? `${progress.actualStatus ?? 'provisioning'}${progress.statusMsg ? ` — ${progress.statusMsg}` : ''}`
    : created
      ? 'created, waiting for a status'
      : 'creating the instance';
  return (
    <div className={`vast-progress vast-progress-${state}`} aria-live="polite" data-testid="launch-progress">
      <div className="vast-progress-head">
        <span className={`vast-dot vast-dot-${state}`} aria-hidden="true" />
        <strong>{op.summary?.title ?? 'Launch'}</strong>
        {state === 'running' ? (
          <button
            type="button"
            className="vast-link-button"
            onClick={() => void api['operations:cancel']({ id: opId })}
            title="Stops waiting; an instance already created keeps running and stays in the list"
          >
            Stop waiting
          </button>
        ) : null}
      </div>
      <div className="vast-progress-status">
        {created ? (
          <span>
            Instance <strong>{created.instanceId}</strong>
            {created.label ? ` (${created.label})` : ''}:{' '}
          </span>
        ) : null}
        <span data-testid="launch-state">
          {state === 'succeeded'
            ? 'running'
            : state === 'failed'
              ? 'failed'
              : state === 'cancelled'
                ? 'stopped waiting'
                : status}
        </span>
      </div>
      {state === 'failed' && op.summary?.error ? (
        <div className="banner banner-error" role="alert">
          {op.summary.error.message}
          {created ? (
            <p>
              Instance {created.instanceId} exists and may still cost money: destroy it from its card if you
              do not need it.
            </p>
          ) : null}
        </div>
      ) : null}
      {op.error ? <div className="muted">{op.error}</div> : null}
      {!compact && lines.length > 0 ? <pre className="vast-progress-log">{lines.join('\n')}</pre> : null}
    </div>
  );
}
