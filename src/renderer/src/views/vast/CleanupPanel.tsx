import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { DestroyDialog } from './DestroyDialog';
import { cost as costText, duration, perHour } from './format';
import { useVastStore, type InstanceData, type LedgerRowData } from './vast-store';

interface Row {
  entry: LedgerRowData;
  instance: InstanceData | null;
  ageSeconds: number;
  cost: number | null;
}

/**
 * Everything the app created and has not seen destroyed (its ledger), joined with the account's
 * instances, oldest first: the place to check that nothing is left running and costing money.
 */
export function CleanupPanel() {
  const { ledger, instances, account, polledAt } = useVastStore();
  const [destroying, setDestroying] = useState<InstanceData | null>(null);
  const now = polledAt / 1000;
  const server = account?.server;
  const byId = new Map((instances ?? []).map((i) => [i.id, i]));
  const rows: Row[] = ledger
    .filter((e) => e.destroyedAt === null && (!server || e.server === server))
    .map((entry) => {
      const instance = byId.get(entry.instanceId) ?? null;
      const createdAt = entry.createdAt > 1e12 ? entry.createdAt / 1000 : entry.createdAt;
      const ageSeconds = Math.max(0, now - createdAt);
      const cost =
        instance?.costSoFar ?? (entry.dphTotal !== null ? (entry.dphTotal * ageSeconds) / 3600 : null);
      return { entry, instance, ageSeconds, cost };
    })
    .sort((a, b) => b.ageSeconds - a.ageSeconds);
  const live = rows.filter((r) => r.instance !== null);
  const gone = rows.filter((r) => r.instance === null);
  const total = live.reduce((sum, r) => sum + (r.cost ?? 0), 0);
  const hourly = live.reduce((sum, r) => sum + (r.instance?.dphTotal ?? 0), 0);

  if (instances === null) return <p className="muted">Loading…</p>;
  return (
    <div className="vast-cleanup">
      {live.length === 0 ? (
        <EmptyState title="Nothing the app created is still there">
          <p>
            Every instance launched from Template Studio is recorded the moment Vast gives its id; none is
            left.
          </p>
        </EmptyState>
      ) : (
        <>
          <p>
            <strong>{live.length}</strong> instance{live.length === 1 ? '' : 's'} created by the app still
            exist, costing <strong>{perHour(hourly)}</strong> together, about{' '}
            <strong>{costText(total)}</strong> so far.
          </p>
          <table className="vast-table" aria-label="Instances the app created">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Label</th>
                <th>Status</th>
                <th className="num">Age</th>
                <th className="num">$/h</th>
                <th className="num">Cost so far</th>
                <th>
                  <span className="vast-visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {live.map(({ entry, instance, ageSeconds, cost }) => (
                <tr key={entry.instanceId}>
                  <td>#{entry.instanceId}</td>
                  <td className="vast-ellipsis" title={instance?.label ?? entry.label}>
                    {instance?.label ?? entry.label}
                  </td>
                  <td>{instance?.actualStatus ?? 'provisioning'}</td>
                  <td className="num">{duration(ageSeconds)}</td>
                  <td className="num">{perHour(instance?.dphTotal ?? entry.dphTotal)}</td>
                  <td className="num">{costText(cost)}</td>
                  <td>
                    <button type="button" className="vast-danger" onClick={() => setDestroying(instance)}>
                      Destroy…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {gone.length > 0 ? (
        <p className="muted">
          {gone.length} other instance{gone.length === 1 ? '' : 's'} in the app's records no longer appear on
          this account (destroyed on the console, or by Vast):{' '}
          {gone.map((r) => `#${r.entry.instanceId}`).join(', ')}.
        </p>
      ) : null}
      {destroying ? <DestroyDialog instance={destroying} onClose={() => setDestroying(null)} /> : null}
    </div>
  );
}
