import { create } from 'zustand';
import type { z } from 'zod';
import type { Run, RunStartInput } from '../../../../shared/contract/runs';
import { api, asAppError } from '../../api';

export type RunData = z.output<typeof Run>;
export type RunStartData = z.input<typeof RunStartInput>;

interface RunsState {
  runs: RunData[];
  selected: string | null;
  /** The operation of the run being started, while the user watches it. */
  startingOp: string | null;
  error: string | null;
  load(): Promise<void>;
  select(id: string | null): void;
  start(input: RunStartData): Promise<void>;
  act(id: string, action: 'stop' | 'resume' | 'restart' | 'remove'): Promise<void>;
  clearStarting(): void;
}

export const useRunsStore = create<RunsState>((set, get) => ({
  runs: [],
  selected: null,
  startingOp: null,
  error: null,
  async load() {
    try {
      const runs = await api['runs:list']({});
      set({ runs, error: null, selected: get().selected ?? runs[0]?.id ?? null });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  select: (id) => set({ selected: id }),
  clearStarting: () => set({ startingOp: null }),
  async start(input) {
    set({ error: null });
    try {
      const { opId } = await api['runs:start'](input);
      set({ startingOp: opId });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async act(id, action) {
    set({ error: null });
    try {
      if (action === 'stop') await api['runs:stop']({ id });
      else if (action === 'resume') await api['runs:resume']({ id });
      else if (action === 'restart') await api['runs:restart']({ id, wait: false });
      else {
        await api['runs:remove']({ id });
        if (get().selected === id) set({ selected: null });
      }
      await get().load();
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
}));

api.on('run:stateChanged', ({ id, run }) =>
  useRunsStore.setState((s) => {
    if (!run)
      return { runs: s.runs.filter((r) => r.id !== id), selected: s.selected === id ? null : s.selected };
    const exists = s.runs.some((r) => r.id === run.id);
    return {
      runs: exists ? s.runs.map((r) => (r.id === run.id ? run : r)) : [run, ...s.runs],
      selected: s.selected ?? run.id,
    };
  }),
);
