import { useEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useFocusStore } from '../../stores/focus-store';
import { InstanceCard } from './InstanceCard';
import type { InstanceData } from './vast-store';

/** Cards are at least this wide, as `.vast-instance-list`'s grid says. */
const CARD_MIN_WIDTH = 460;
const GAP = 12;
/** A closed card's height; open ones (logs, programs) are measured. */
const ESTIMATED_ROW_HEIGHT = 380;

/**
 * The instance cards of a large fleet, rendered a row of cards at a time: only the rows near the
 * viewport are in the page (a fleet of 500 would otherwise put 500 cards, their charts and their
 * buttons into the document). Scrolls with the app's content area, so the view looks the same as
 * the plain grid; a notification about an instance scrolls its row into view first.
 */
export function VirtualCardGrid({ instances }: { instances: InstanceData[] }) {
  const listRef = useRef<HTMLDivElement>(null);
  const [layout, setLayout] = useState({ columns: 1, scrollMargin: 0 });

  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const scroller = list.closest<HTMLElement>('.content');
    // Fires once on observe, then on every resize: columns as the CSS grid would make them.
    const observer = new ResizeObserver(() => {
      const columns = Math.max(1, Math.floor((list.clientWidth + GAP) / (CARD_MIN_WIDTH + GAP)));
      const scrollMargin = scroller
        ? list.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop
        : 0;
      setLayout((l) =>
        l.columns === columns && l.scrollMargin === scrollMargin ? l : { columns, scrollMargin },
      );
    });
    observer.observe(list);
    return () => observer.disconnect();
  }, []);

  const { columns, scrollMargin } = layout;
  const rowCount = Math.ceil(instances.length / columns);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => listRef.current?.closest<HTMLElement>('.content') ?? null,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    overscan: 2,
    scrollMargin,
  });

  // Sent here by a notification (or the Monitor's "Open in Vast"): bring the instance's row in, so
  // the element the notification names exists; the navigation then scrolls to it.
  const intent = useFocusStore((f) => f.intent);
  const wantedIndex = intent?.view === 'vast' ? instances.findIndex((i) => String(i.id) === intent.id) : -1;
  useEffect(() => {
    if (wantedIndex < 0 || !intent) return;
    virtualizer.scrollToIndex(Math.floor(wantedIndex / columns), { align: 'center' });
    useFocusStore.getState().done(intent);
  }, [wantedIndex, intent, columns, virtualizer]);

  return (
    <div
      ref={listRef}
      className="vast-instance-virtual"
      style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
      aria-rowcount={rowCount}
    >
      {virtualizer.getVirtualItems().map((row) => (
        <div
          key={row.key}
          data-index={row.index}
          ref={virtualizer.measureElement}
          className="vast-instance-list vast-instance-row"
          style={{
            gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
            transform: `translateY(${row.start - scrollMargin}px)`,
          }}
        >
          {instances.slice(row.index * columns, (row.index + 1) * columns).map((i) => (
            <InstanceCard key={i.id} instance={i} />
          ))}
        </div>
      ))}
    </div>
  );
}
