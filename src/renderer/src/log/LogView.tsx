import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { AnsiLine } from './ansi-line';
import { stripAnsi, type LogBuffer } from './log-buffer';

export interface LogMarker {
  /** The line the step starts at. */
  line: number;
  label: string;
  state: 'pending' | 'running' | 'cached' | 'done' | 'failed';
  detail?: string;
}

export interface LogViewProps {
  buffer: LogBuffer;
  /** The buffer's version: pass it so appends re-render. */
  version: number;
  markers?: LogMarker[];
  label: string;
  emptyText?: string;
}

const ROW_HEIGHT = 18;

/**
 * A log of any length: only the visible rows exist in the DOM, so a million lines scroll like ten.
 * Follows new output until the user scrolls up; search with next/previous; copy as plain text.
 */
export function LogView({
  buffer,
  version,
  markers = [],
  label,
  emptyText = 'No output yet.',
}: LogViewProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [matchIndex, setMatchIndex] = useState(0);
  const [copied, setCopied] = useState(false);
  /** A new query jumps to its first match once the matches are known. */
  const [jumpPending, setJumpPending] = useState(false);
  const count = buffer.length;

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  const matches = useMemo(() => {
    if (query.length < 2) return [] as number[];
    const needle = query.toLowerCase();
    const found: number[] = [];
    for (let i = 0; i < buffer.length && found.length < 100_000; i++) {
      if (stripAnsi(buffer.line(i)).toLowerCase().includes(needle)) found.push(i);
    }
    return found;
    // version: the buffer mutates in place; its version says when to scan again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query, version, buffer]);

  useEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [follow, count, version, virtualizer]);

  useEffect(() => {
    if (!jumpPending || matches.length === 0) return;
    setJumpPending(false);
    setFollow(false);
    virtualizer.scrollToIndex(matches[0]!, { align: 'center' });
  }, [jumpPending, matches, virtualizer]);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    setFollow(atBottom);
  }, []);

  const jumpTo = useCallback(
    (line: number) => {
      setFollow(false);
      virtualizer.scrollToIndex(line, { align: 'center' });
    },
    [virtualizer],
  );

  const step = (delta: number) => {
    if (matches.length === 0) return;
    const next = (matchIndex + delta + matches.length) % matches.length;
    setMatchIndex(next);
    jumpTo(matches[next]!);
  };

  const copyAll = async () => {
    await navigator.clipboard.writeText(stripAnsi(buffer.text()));
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  const currentMatchLine = matches[matchIndex];
  return (
    <div className="log-view">
      {markers.length > 0 ? (
        <ol className="log-outline" aria-label="Steps">
          {markers.map((m, i) => (
            <li key={`${m.line}-${i}`} className={`log-step log-step-${m.state}`}>
              <button type="button" onClick={() => jumpTo(m.line)} title={m.detail ?? m.label}>
                <span className="log-step-state" aria-label={m.state} />
                <span className="log-step-label">{m.label}</span>
                {m.detail ? <span className="log-step-detail">{m.detail}</span> : null}
              </button>
            </li>
          ))}
        </ol>
      ) : null}
      <div className="log-main">
        <div className="log-toolbar">
          <input
            ref={searchRef}
            type="search"
            placeholder="Search the log"
            aria-label={`Search ${label}`}
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setMatchIndex(0);
              setJumpPending(true);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                step(e.shiftKey ? -1 : 1);
              }
            }}
          />
          <span className="muted log-count" aria-live="polite">
            {query.length >= 2
              ? `${matches.length === 0 ? 0 : matchIndex + 1} of ${matches.length}`
              : `${count.toLocaleString()} lines`}
          </span>
          <button
            type="button"
            onClick={() => step(-1)}
            disabled={matches.length === 0}
            aria-label="Previous match"
          >
            ↑
          </button>
          <button
            type="button"
            onClick={() => step(1)}
            disabled={matches.length === 0}
            aria-label="Next match"
          >
            ↓
          </button>
          <button type="button" aria-pressed={follow} onClick={() => setFollow((f) => !f)}>
            {follow ? 'Following' : 'Follow'}
          </button>
          <button type="button" onClick={() => void copyAll()} disabled={count === 0}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <div
          ref={scrollRef}
          className="log-scroll"
          onScroll={onScroll}
          role="log"
          aria-label={label}
          tabIndex={0}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
              e.preventDefault();
              searchRef.current?.focus();
            }
          }}
        >
          {count === 0 ? (
            <div className="log-empty muted">{emptyText}</div>
          ) : (
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualizer.getVirtualItems().map((row) => (
                <div
                  key={row.key}
                  className={row.index === currentMatchLine ? 'log-line log-line-current' : 'log-line'}
                  data-line={row.index + 1}
                  style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                >
                  <AnsiLine text={buffer.line(row.index)} highlight={query.length >= 2 ? query : undefined} />
                </div>
              ))}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
