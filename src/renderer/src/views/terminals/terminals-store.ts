import { create } from 'zustand';
import { api } from '../../api';

export type TerminalVia = 'ssh' | 'docker-exec';
export type TerminalState = 'open' | 'reconnecting' | 'exited';

export interface TerminalTab {
  id: string;
  label: string;
  via: TerminalVia;
  state: TerminalState;
  exited: boolean;
  /** Where an SSH shell runs, for per-target switches (Vast's tmux auto-attach); null for docker exec. */
  target: { host: string; port: number; user: string } | null;
}

type Info = Awaited<ReturnType<(typeof api)['terminal:open']>>;

function defaultLabel(info: Info): string {
  return info.via === 'ssh'
    ? `${info.target.user}@${info.target.host}:${info.target.port}`
    : `${info.run.name} · docker exec`;
}

function tabOf(info: Info, label?: string): TerminalTab {
  return {
    id: info.id,
    label: label ?? defaultLabel(info),
    via: info.via,
    state: info.state,
    exited: info.exited !== null,
    target: info.via === 'ssh' ? info.target : null,
  };
}

interface TerminalsState {
  terminals: TerminalTab[];
  activeId: string | null;
  setActive(id: string): void;
  refresh(): Promise<void>;
  /** SSH: a run id, instance id or user@host:port. docker exec: a local run's id. */
  open(target: string, label?: string, via?: TerminalVia): Promise<string>;
  close(id: string): Promise<void>;
}

/** The open terminal tabs. The shells live in main; this only remembers which ones to show. */
export const useTerminalsStore = create<TerminalsState>((set, get) => ({
  terminals: [],
  activeId: null,
  setActive: (id) => set({ activeId: id }),
  async refresh() {
    const list = await api['terminals:list']({});
    const labels = new Map(get().terminals.map((t) => [t.id, t.label]));
    const terminals = list.map((t) => tabOf(t, labels.get(t.id)));
    set({ terminals, activeId: get().activeId ?? terminals[0]?.id ?? null });
  },
  async open(target, label, via = 'ssh') {
    const info =
      via === 'ssh'
        ? await api['terminal:open']({ via, target, rows: 24, cols: 80 })
        : await api['terminal:open']({ via, run: target, rows: 24, cols: 80 });
    const tab = tabOf(info, label);
    set({ terminals: [...get().terminals.filter((t) => t.id !== info.id), tab], activeId: info.id });
    return info.id;
  },
  async close(id) {
    await api['terminal:close']({ id });
    const terminals = get().terminals.filter((t) => t.id !== id);
    set({ terminals, activeId: get().activeId === id ? (terminals.at(-1)?.id ?? null) : get().activeId });
  },
}));

api.on('terminal:stateChanged', (e) =>
  useTerminalsStore.setState((s) => ({
    terminals: s.terminals.map((t) =>
      t.id === e.id ? { ...t, state: e.state, exited: t.exited || e.state === 'exited' } : t,
    ),
  })),
);

api.on('terminal:exited', (e) =>
  useTerminalsStore.setState((s) => ({
    terminals: s.terminals.map((t) => (t.id === e.id ? { ...t, state: 'exited', exited: true } : t)),
  })),
);
