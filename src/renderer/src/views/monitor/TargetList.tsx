import { memo, useCallback, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { cost, perHour } from '../vast/format';
import type { TargetData } from './monitor-api';
import { Sparkline } from './Sparkline';

const ROW_HEIGHT = 44;

export function stateLabel(t: TargetData): string {
  return t.state === t.rawState ? t.state : `${t.state} (${t.rawState})`;
}

/**
 * Every target, virtualised: only the rows on screen exist, so 500 instances cost what 15 do.
 * `rows` comes in attention order from the store, the same array while nothing moved.
 */
export function TargetList({
  rows,
  orderKeys,
  selected,
  onSelect,
}: {
  rows: TargetData[];
  /** The rows' keys, a new array only when the order changed. */
  orderKeys: string[];
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // Stable while the order holds: a new getItemKey makes the virtualizer measure all 500 rows again.
  const getItemKey = useCallback((i: number) => orderKeys[i] ?? i, [orderKeys]);
  const getScrollElement = useCallback(() => scroller.current, []);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement,
    estimateSize: () => ROW_HEIGHT,
    // Two rows either side: enough for the keyboard and a wheel tick, few enough to redraw cheaply.
    overscan: 2,
    getItemKey,
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

/** What a row shows, as text: a poll that moved a cost by a fraction of a cent renders nothing. */
function rowText(t: TargetData): string {
  return `${t.key}|${t.name}|${t.state}|${t.rawState}|${t.kind === 'instance' ? perHour(t.ratePerHour) : ''}|${cost(t.costSoFar)}|${t.attention.join(',')}`;
}

const TargetRow = memo(
  function TargetRow({
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
        <Sparkline target={t.key} metric="gpuUtil" width={90} label={`GPU utilisation of ${t.name}`} />
        <Sparkline target={t.key} metric="cpu" width={90} label={`CPU of ${t.name}`} />
      </button>
    );
  },
  (a, b) =>
    a.selected === b.selected &&
    a.onSelect === b.onSelect &&
    (a.target === b.target || rowText(a.target) === rowText(b.target)),
);
