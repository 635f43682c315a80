import { cost, perHour } from '../vast/format';
import type { FleetData } from './monitor-api';

const STATES = ['running', 'loading', 'provisioning', 'stopped', 'failed', 'unknown'] as const;

/** Counts by state, total $/h, spend today and the budgets, at a glance. */
export function FleetOverview({ fleet }: { fleet: FleetData }) {
  const total = fleet.targets.length;
  const instances = fleet.targets.filter((t) => t.kind === 'instance').length;
  return (
    <section className="cards monitor-overview" id="fleet-overview" aria-label="Fleet overview">
      <div className="card">
        <div className="card-label">Instances and runs</div>
        <div className="card-value" data-testid="fleet-total">
          {total}
        </div>
        <StateCounts label="Vast" kind="instance" fleet={fleet} />
        <StateCounts label="Local" kind="run" fleet={fleet} />
        <div className="muted">
          <span data-testid="fleet-instances">{instances} on Vast</span> · {total - instances} local
        </div>
      </div>
      <div className="card">
        <div className="card-label">Total per hour</div>
        <div className="card-value" data-testid="fleet-per-hour">
          {perHour(fleet.totalPerHour)}
        </div>
        <div className="muted">running at their price, stopped at storage</div>
      </div>
      <div className="card" id="fleet-budgets">
        <div className="card-label">Spend today</div>
        <div
          className={`card-value${fleet.budgets.dailyExceeded ? ' monitor-over' : ''}`}
          data-testid="fleet-today"
        >
          {cost(fleet.spendToday)}
        </div>
        <div className="muted">
          {fleet.budgets.dailyUsd !== null
            ? `budget ${cost(fleet.budgets.dailyUsd)} a day`
            : 'no daily budget'}
        </div>
      </div>
      <div className="card">
        <div className="card-label">Cost so far</div>
        <div
          className={`card-value${fleet.budgets.totalExceeded ? ' monitor-over' : ''}`}
          data-testid="fleet-cost"
        >
          {cost(fleet.totalCostSoFar)}
        </div>
        <div className="muted">
          {fleet.budgets.totalUsd !== null ? `budget ${cost(fleet.budgets.totalUsd)}` : 'no total budget'} ·
          an estimate
        </div>
      </div>
    </section>
  );
}

/** One kind's counts by state: "4 running", "1 stopped". */
function StateCounts({ label, kind, fleet }: { label: string; kind: 'instance' | 'run'; fleet: FleetData }) {
  const counts = new Map<string, number>();
  for (const t of fleet.targets) if (t.kind === kind) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  if (counts.size === 0) return null;
  return (
    <div className="monitor-counts" aria-label={`${label} by state`}>
      <span className="muted">{label}</span>
      {STATES.filter((s) => counts.has(s)).map((s) => (
        <span key={s} className={`monitor-state monitor-state-${s}`} data-testid={`${kind}-count-${s}`}>
          {counts.get(s)} {s}
        </span>
      ))}
    </div>
  );
}
