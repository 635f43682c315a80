import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { gb, mbps, percent, perHour, vramGb } from './format';
import type { OfferRowData } from './vast-store';

/** Past this many rows only the visible ones are in the DOM. */
const VIRTUALISE_ABOVE = 200;
const ROW_HEIGHT = 35;

export interface SortState {
  field: string;
  desc: boolean;
}

/** Fixed widths (px; the GPU takes the rest) so columns do not jump while rows scroll in and out. */
const COLUMNS: { field: string; label: string; width?: number; numeric?: boolean; title?: string }[] = [
  { field: 'gpu_name', label: 'GPU' },
  { field: 'num_gpus', label: 'N', width: 44, numeric: true, title: 'Number of GPUs' },
  { field: 'gpu_ram', label: 'VRAM', width: 74, numeric: true, title: 'VRAM per GPU' },
  { field: 'dph_total', label: '$/h total', width: 98, numeric: true },
  { field: 'reliability', label: 'Reliability', width: 92, numeric: true },
  {
    field: 'cuda_max_good',
    label: 'CUDA',
    width: 72,
    numeric: true,
    title: 'Highest CUDA version the driver runs',
  },
  { field: 'geolocation', label: 'Location', width: 140 },
  { field: 'inet_down', label: 'Net ↓/↑', width: 156, numeric: true, title: 'Download / upload speed' },
  { field: 'disk_space', label: 'Disk', width: 82, numeric: true, title: 'Free disk' },
];
const ACTION_WIDTH = 112;

/**
 * The offers an author compares. Keyboard: Tab reaches the table once, ↑/↓ (Home/End, PgUp/PgDn)
 * move between offers, Enter opens the launch dialog for the focused one.
 */
export function OffersTable({
  offers,
  sort,
  onSort,
  onLaunch,
}: {
  offers: OfferRowData[];
  sort: SortState | null;
  onSort: (field: string) => void;
  onLaunch: (offer: OfferRowData) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const [focusWanted, setFocusWanted] = useState(false);
  const virtual = offers.length > VIRTUALISE_ABOVE;
  const current = Math.min(active, Math.max(0, offers.length - 1));

  const virtualizer = useVirtualizer({
    count: offers.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    enabled: virtual,
  });

  useEffect(() => {
    if (!focusWanted) return;
    if (virtual) virtualizer.scrollToIndex(current, { align: 'auto' });
    // The row may only exist after the virtualiser rendered it.
    const raf = requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLButtonElement>(`button[data-index="${current}"]`)?.focus();
      setFocusWanted(false);
    });
    return () => cancelAnimationFrame(raf);
  }, [current, focusWanted, virtual, virtualizer]);

  const move = (to: number) => {
    setActive(Math.max(0, Math.min(offers.length - 1, to)));
    setFocusWanted(true);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
    const keys: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 0,
      End: offers.length - 1,
      PageDown: current + page,
      PageUp: current - page,
    };
    const to = keys[e.key];
    if (to === undefined) return;
    e.preventDefault();
    move(to);
  };

  const items = virtual
    ? virtualizer.getVirtualItems().map((v) => ({ index: v.index, start: v.start }))
    : offers.map((_, index) => ({ index, start: 0 }));
  const padTop = virtual ? (items[0]?.start ?? 0) : 0;
  const padBottom = virtual ? virtualizer.getTotalSize() - ((items.at(-1)?.start ?? 0) + ROW_HEIGHT) : 0;

  return (
    <div className="vast-offers-scroll" ref={scrollRef}>
      <table className="vast-table vast-offers-table" aria-label="Offers" aria-rowcount={offers.length + 1}>
        <colgroup>
          {COLUMNS.map((c) => (
            <col key={c.field} style={c.width ? { width: c.width } : undefined} />
          ))}
          <col style={{ width: ACTION_WIDTH }} />
        </colgroup>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.field}
                className={c.numeric ? 'num' : undefined}
                aria-sort={sort?.field === c.field ? (sort.desc ? 'descending' : 'ascending') : undefined}
                title={c.title}
              >
                <button type="button" className="vast-sort" onClick={() => onSort(c.field)}>
                  {c.label}
                  <span className="vast-sort-mark" aria-hidden="true">
                    {sort?.field === c.field ? (sort.desc ? '▼' : '▲') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th>
              <span className="vast-visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {padTop > 0 ? (
            <tr aria-hidden="true" style={{ height: padTop }}>
              <td colSpan={COLUMNS.length + 1} />
            </tr>
          ) : null}
          {items.map(({ index }) => {
            const o = offers[index]!;
            return (
              <tr
                key={o.id}
                aria-rowindex={index + 2}
                className={index === current ? 'active' : undefined}
                onClick={() => setActive(index)}
                onDoubleClick={() => onLaunch(o)}
              >
                <td className="vast-gpu">
                  <span className="vast-gpu-name" title={o.gpuName}>
                    {o.gpuName}
                  </span>
                  {o.verified === false ? <span className="vast-chip vast-chip-warn">unverified</span> : null}
                </td>
                <td className="num">{o.numGpus}</td>
                <td className="num">{vramGb(o.gpuRamMb)}</td>
                <td className="num vast-price">{perHour(o.dphTotal)}</td>
                <td className="num">{percent(o.reliability)}</td>
                <td className="num">{o.cudaMaxGood ?? '—'}</td>
                <td className="vast-location" title={o.geolocation ?? undefined}>
                  {o.geolocation ?? '—'}
                </td>
                <td className="num vast-net">
                  {mbps(o.inetDownMbps)} / {mbps(o.inetUpMbps)}
                </td>
                <td className="num">{gb(o.diskSpaceGb)}</td>
                <td>
                  <button
                    type="button"
                    data-index={index}
                    tabIndex={index === current ? 0 : -1}
                    aria-label={`Launch on offer ${o.id} (${o.numGpus}× ${o.gpuName}, ${perHour(o.dphTotal)})`}
                    onFocus={() => setActive(index)}
                    onClick={() => onLaunch(o)}
                  >
                    Launch…
                  </button>
                </td>
              </tr>
            );
          })}
          {padBottom > 0 ? (
            <tr aria-hidden="true" style={{ height: padBottom }}>
              <td colSpan={COLUMNS.length + 1} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
