import { useEffect, useState } from 'react';
import { api, asAppError } from '../../api';
import { ErrorBanner } from '../../components/ErrorBanner';
import { LogView } from '../../log/LogView';
import { LogBuffer } from '../../log/log-buffer';
import type { RunData } from './runs-store';

const TAIL = 500;

interface Read {
  request: number;
  buffer: LogBuffer | null;
  error: string | null;
  /** When the output was last read successfully. */
  at: number | null;
}

/**
 * The run container's own output (its entrypoint's, or /.launch's): what explains a run that never
 * became ready or stopped. Read on request, not followed, so a closed section costs nothing.
 */
export function RunOutput({ run }: { run: RunData }) {
  // A run that stopped is usually looked at to learn why: its output opens by itself.
  const [open, setOpen] = useState(run.state === 'exited' || run.state === 'dead');
  /** Bumped by Refresh (and by opening): each value is one read of the output. */
  const [request, setRequest] = useState(0);
  const [read, setRead] = useState<Read | null>(null);
  const loading = open && read?.request !== request;

  useEffect(() => {
    if (!open) return;
    let stale = false;
    api['runs:logs']({ id: run.id, tail: TAIL }).then(
      ({ text }) => {
        if (stale) return;
        const buffer = new LogBuffer();
        buffer.append(text);
        setRead({ request, buffer, error: null, at: Date.now() });
      },
      (err: unknown) => {
        if (!stale)
          setRead((r) => ({
            request,
            buffer: r?.buffer ?? null,
            error: asAppError(err).message,
            at: r?.at ?? null,
          }));
      },
    );
    return () => {
      stale = true;
    };
  }, [open, request, run.id]);

  const buffer = read?.buffer ?? null;
  return (
    <section className="run-output" aria-label="Container output">
      <div className="run-output-head">
        <h3>Output</h3>
        <button
          type="button"
          aria-expanded={open}
          aria-controls={`run-output-${run.id}`}
          onClick={() => {
            if (!open) setRequest((r) => r + 1);
            setOpen(!open);
          }}
        >
          {open ? 'Hide output' : 'Show output'}
        </button>
        {open ? (
          <>
            <button type="button" onClick={() => setRequest((r) => r + 1)} disabled={loading}>
              {loading ? 'Reading…' : 'Refresh'}
            </button>
            <span className="muted small">
              the container&apos;s own output, last {TAIL} lines
              {read?.at ? ` · read at ${new Date(read.at).toLocaleTimeString()}` : ''}
            </span>
          </>
        ) : null}
      </div>
      {open ? (
        <div id={`run-output-${run.id}`}>
          <ErrorBanner message={read?.error} />
          {buffer ? (
            <div className="run-output-body">
              <LogView
                buffer={buffer}
                version={buffer.version}
                label={`Output of run ${run.name}`}
                emptyText="The container has printed nothing."
              />
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
