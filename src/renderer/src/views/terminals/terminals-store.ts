import { create } from 'zustand';
import { api } from '../../api';

export interface TerminalTab {
  id: string;
  label: string;
  exited: boolean;
  /** Where the shell runs, for per-target switches (Vast's tmux auto-attach). */
  target: { host: string; port: number; user: string };
}

interface TerminalsState {
  terminals: TerminalTab[];
  activeId: string | null;
  setActive(id: string): void;
  refresh(): Promise<void>;
  open(target: string, label?: string): Promise<string>;
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
    const terminals = list.map((t) => ({
      id: t.id,
      label: labels.get(t.id) ?? `${t.target.user}@${t.target.host}:${t.target.port}`,
      exited: t.exited !== null,
      target: t.target,
    }));
    set({ terminals, activeId: get().activeId ?? terminals[0]?.id ?? null });
  },
  async open(target, label) {
    const info = await api['terminal:open']({ target, rows: 24, cols: 80 });
    const tab: TerminalTab = {
      id: info.id,
      label: label ?? `${info.target.user}@${info.target.host}:${info.target.port}`,
      exited: false,
      target: info.target,
    };
    set({ terminals: [...get().terminals.filter((t) => t.id !== info.id), tab], activeId: info.id });
    return info.id;
  },
  async close(id) {
    await api['terminal:close']({ id });
    const terminals = get().terminals.filter((t) => t.id !== id);
    set({ terminals, activeId: get().activeId === id ? (terminals.at(-1)?.id ?? null) : get().activeId });
  },
}));

api.on('terminal:exited', (e) =>
  useTerminalsStore.setState((s) => ({
    terminals: s.terminals.map((t) => (t.id === e.id ? { ...t, exited: true } : t)),
  })),
);
