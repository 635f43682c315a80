import { memo, useMemo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { cost, perHour } from '../vast/format';
import type { TargetData } from './monitor-api';
import { Sparkline } from './Sparkline';

const ROW_HEIGHT = 44;

function rankOf(t: TargetData): number {
  if (t.attention.includes('failed')) return 0;
  if (t.attention.includes('over-budget')) return 1;
  if (t.attention.includes('idle')) return 2;
  if (t.state === 'running') return 3;
  if (t.state === 'loading' || t.state === 'provisioning') return 4;
  return 5;
}

/**
 * Failed first, then over budget, idle, then the rest (running before stopped), by name. Plain
 * string comparison: localeCompare costs milliseconds over 500 rows on every poll.
 */
export function attentionOrder(targets: readonly TargetData[]): TargetData[] {
  const keyed = targets.map((t) => ({ t, rank: rankOf(t) }));
  keyed.sort(
    (a, b) =>
      a.rank - b.rank ||
      (a.t.name < b.t.name ? -1 : a.t.name > b.t.name ? 1 : 0) ||
      (a.t.key < b.t.key ? -1 : a.t.key > b.t.key ? 1 : 0),
  );
  return keyed.map((k) => k.t);
}

export function stateLabel(t: TargetData): string {
  return t.state === t.rawState ? t.state : `${t.state} (${t.rawState})`;
}

/** Every target, virtualised: only the rows on screen exist, so 500 instances cost what 15 do. */
export function TargetList({
  targets,
  selected,
  onSelect,
}: {
  targets: TargetData[];
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => attentionOrder(targets), [targets]);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 4,
    getItemKey: (i) => rows[i]?.key ?? i,
  });
  return (
    <div className="monitor-list" ref={scroller} role="list" aria-label="Instances and runs">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const t = rows[v.index]!;
          return (
            <div
              key={v.key}
              role="listitem"
              className="monitor-row-slot"
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: ROW_HEIGHT,
                transform: `translateY(${v.start}px)`,
              }}
            >
              <TargetRow target={t} selected={selected === t.key} onSelect={onSelect} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

const TargetRow = memo(function TargetRow({
  target: t,
  selected,
  onSelect,
}: {
  target: TargetData;
  selected: boolean;
  onSelect: (key: string) => void;
}) {
  return (
    <button
      type="button"
      className={`monitor-row${selected ? ' monitor-row-selected' : ''}`}
      id={`monitor-${t.key.replace(':', '-')}`}
      aria-pressed={selected}
      onClick={() => onSelect(t.key)}
      data-target={t.key}
    >
      <span className="monitor-row-name" title={t.name}>
        {t.name}
        <span className="muted"> {t.kind === 'instance' ? `#${t.id}` : 'local run'}</span>
      </span>
      <span className={`monitor-state monitor-state-${t.state}`}>{stateLabel(t)}</span>
      <span className="monitor-row-num">{t.kind === 'instance' ? perHour(t.ratePerHour) : '—'}</span>
      <span className="monitor-row-num">{cost(t.costSoFar)}</span>
      <span className="monitor-row-flags">
        {t.attention.map((a) => (
          <span key={a} className={`monitor-flag monitor-flag-${a}`}>
            {a}
          </span>
        ))}
      </span>
      <Sparkline target={t.key} metric="gpuUtil" label={`GPU utilisation of ${t.name}`} />
      <Sparkline target={t.key} metric="cpu" label={`CPU of ${t.name}`} />
    </button>
  );
});
