import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import '@xterm/xterm/css/xterm.css';
import { api, asAppError } from '../../api';
import type { TerminalState, TerminalVia } from './terminals-store';

const RENDERER_KEY = 'tstudio.terminal.renderer';
type RendererChoice = 'webgl' | 'dom';
function storedRenderer(): RendererChoice {
  return localStorage.getItem(RENDERER_KEY) === 'dom' ? 'dom' : 'webgl';
}

export interface TerminalPaneProps {
  terminalId: string;
  active: boolean;
  state: TerminalState;
  via: TerminalVia;
  /** Only for SSH shells. */
  target?: { host: string; port: number; user: string } | null;
}

/**
 * One terminal, attached to a shell that lives in main. On mount it replays main's scrollback,
 * then renders live output and acknowledges each batch once xterm has drawn it: main pauses the
 * shell while too much is unacknowledged, so a flood never freezes this view or grows memory.
 */
export function TerminalPane({ terminalId, active, state, via, target }: TerminalPaneProps) {
  const tmux = useAutoTmux(target ?? undefined);
  // Read by xterm's input handler, which is set up once per terminal.
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);
  /** Keystrokes refused while reconnecting: counted and shown, never silently dropped. */
  const [notSent, setNotSent] = useState(0);
  // A new reconnect episode starts counting afresh (React's "adjust state on a prop change").
  const [shownState, setShownState] = useState(state);
  if (shownState !== state) {
    setShownState(state);
    if (state === 'reconnecting') setNotSent(0);
  }
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState('');
  // GPU drawing is fastest; the DOM renderer suits remote desktops, broken GPU drivers and text tools.
  const [renderer, setRenderer] = useState<RendererChoice>(storedRenderer);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace",
      fontSize: 13,
      scrollback: 10_000,
      allowProposedApi: false,
      theme: { background: '#0d1117', foreground: '#d1d7e0' },
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(
      new WebLinksAddon((_event, uri) => {
        // Links open in the OS browser through window.open, which the desktop shell allows only for loopback.
        window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    term.open(host);
    if (renderer === 'webgl') {
      try {
        const webgl = new WebglAddon();
        webgl.onContextLoss(() => webgl.dispose());
        term.loadAddon(webgl);
      } catch {
        // No WebGL (headless, old GPU): the DOM renderer is the fallback.
      }
    }
    termRef.current = term;
    fitRef.current = fit;
    searchRef.current = search;

    let disposed = false;
    let endOffset = -1;
    const pending: { data: string; bytes: number; offset: number }[] = [];
    const write = (data: string, bytes: number) =>
      term.write(data, () => {
        if (!disposed && bytes > 0)
          void api['terminal:ack']({ id: terminalId, bytes }).catch(() => undefined);
      });

    const offOutput = api.on('terminal:output', (batch) => {
      if (batch.id !== terminalId) return;
      if (endOffset < 0) {
        pending.push(batch);
        return;
      }
      if (batch.offset <= endOffset) return;
      endOffset = batch.offset;
      write(batch.data, batch.bytes);
    });
    const offExit = api.on('terminal:exited', (e) => {
      if (e.id !== terminalId) return;
      setStatus(describeExit(e));
    });

    void api['terminal:replay']({ id: terminalId }).then(
      (r) => {
        if (disposed) return;
        if (r.truncated) term.write('\x1b[2m… older output was dropped …\x1b[0m\r\n');
        term.write(r.data);
        endOffset = r.endOffset;
        for (const b of pending.splice(0)) {
          if (b.offset > endOffset) {
            endOffset = b.offset;
            write(b.data, b.bytes);
          }
        }
        if (r.exited) setStatus(describeExit(r.exited));
      },
      (err) => setStatus(asAppError(err).message),
    );

    const refuse = (data: string) => setNotSent((n) => n + data.length);
    const input = term.onData((data) => {
      if (stateRef.current === 'reconnecting') return refuse(data);
      void api['terminal:write']({ id: terminalId, data }).catch((err) => {
        // The connection dropped between the keystroke and main: main refused it, say so.
        if (asAppError(err).code === 'CONFLICT' && stateRef.current !== 'exited') refuse(data);
      });
    });
    const resized = term.onResize(
      ({ rows, cols }) => void api['terminal:resize']({ id: terminalId, rows, cols }).catch(() => undefined),
    );
    const observer = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // Not laid out yet.
      }
    });
    observer.observe(host);

    return () => {
      disposed = true;
      observer.disconnect();
      input.dispose();
      resized.dispose();
      offOutput();
      offExit();
      void api['terminal:detach']({ id: terminalId }).catch(() => undefined);
      term.dispose();
      termRef.current = null;
    };
  }, [terminalId, renderer]);

  useEffect(() => {
    if (active) {
      try {
        fitRef.current?.fit();
      } catch {
        // Not laid out yet.
      }
      termRef.current?.focus();
    }
  }, [active]);

  return (
    <div className="terminal-pane" hidden={!active}>
      <div className="terminal-toolbar">
        <button type="button" onClick={() => setSearching((s) => !s)} aria-pressed={searching}>
          Search
        </button>
        <button
          type="button"
          onClick={() => {
            const text = termRef.current?.getSelection();
            if (text) void navigator.clipboard.writeText(text);
          }}
        >
          Copy
        </button>
        <button
          type="button"
          disabled={state !== 'open'}
          title={state === 'reconnecting' ? 'Not while reconnecting: the text would be lost' : undefined}
          onClick={() =>
            void navigator.clipboard.readText().then((text) => {
              if (text)
                void api['terminal:write']({ id: terminalId, data: text }).catch(() =>
                  setNotSent((n) => n + text.length),
                );
            })
          }
        >
          Paste
        </button>
        <label className="muted small">
          Renderer{' '}
          <select
            value={renderer}
            onChange={(e) => {
              const next = e.target.value as RendererChoice;
              localStorage.setItem(RENDERER_KEY, next);
              setRenderer(next);
            }}
          >
            <option value="webgl">GPU (WebGL)</option>
            <option value="dom">DOM</option>
          </select>
        </label>
        {tmux.enabled !== null ? (
          <label
            className="muted small"
            title="Vast attaches every SSH login to a tmux session; ~/.no_auto_tmux turns that off. Applies to new logins."
          >
            <input
              type="checkbox"
              checked={tmux.enabled}
              disabled={tmux.busy}
              onChange={(e) => void tmux.set(e.target.checked)}
            />{' '}
            tmux on login
          </label>
        ) : null}
        {searching ? (
          <input
            type="search"
            aria-label="Search the terminal"
            value={query}
            autoFocus
            onChange={(e) => {
              setQuery(e.target.value);
              searchRef.current?.findNext(e.target.value, { incremental: true });
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                if (e.shiftKey) searchRef.current?.findPrevious(query);
                else searchRef.current?.findNext(query);
              }
              if (e.key === 'Escape') setSearching(false);
            }}
          />
        ) : null}
        {status ? (
          <span className="terminal-status" role="status">
            {status}
          </span>
        ) : null}
      </div>
      {state === 'reconnecting' ? (
        <div className="banner banner-warn terminal-banner" role="status" data-testid="terminal-reconnecting">
          <strong>Connection lost — reconnecting…</strong> The scrollback is kept and a fresh shell of the
          same size opens here once the machine answers. Typing is not sent meanwhile
          {notSent > 0 ? ` (${notSent} ${notSent === 1 ? 'character' : 'characters'} not sent)` : ''}.
        </div>
      ) : null}
      <div
        ref={hostRef}
        className="terminal-host"
        data-testid={`terminal-${terminalId}`}
        data-state={state}
        data-via={via}
      />
    </div>
  );
}

function describeExit(e: { reason: string; exitCode: number | null }): string {
  if (e.reason === 'connection-lost')
    return 'The connection was lost for good (reconnecting failed). Open a new terminal once the machine is back.';
  if (e.reason === 'closed') return 'The terminal was closed.';
  return `The shell ended${e.exitCode !== null ? ` with exit code ${e.exitCode}` : ''}.`;
}

/** Vast's tmux auto-attach on the target: read once, switched with ~/.no_auto_tmux. */
function useAutoTmux(target: TerminalPaneProps['target']) {
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const key = target ? `${target.user}@${target.host}:${target.port}` : null;
  useEffect(() => {
    if (!target) return;
    let stale = false;
    api['ssh:autoTmux']({ target }).then(
      (r) => !stale && setEnabled(r.enabled),
      () => undefined,
    );
    return () => {
      stale = true;
    };
    // The key names the target; the object itself changes identity on every list refresh.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const set = async (next: boolean) => {
    if (!target) return;
    setBusy(true);
    try {
      setEnabled((await api['ssh:setAutoTmux']({ target, enabled: next })).enabled);
    } finally {
      setBusy(false);
    }
  };
  return { enabled, busy, set };
}
