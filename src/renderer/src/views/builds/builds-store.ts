import { create } from 'zustand';
import type { BuildParamsInput, BuildRecordData } from '../../../../shared/contract/builds';
import { api, asAppError } from '../../api';

interface BuildsState {
  history: BuildRecordData[];
  /** A build id, or 'new' for the form. */
  selected: string | null;
  error: string | null;
  /** Where the form starts (the template folder the user works on). */
  draftContext: string;
  load(): Promise<void>;
  select(id: string | null): void;
  start(params: BuildParamsInput): Promise<void>;
  rerun(id: string): Promise<void>;
  cancel(id: string): Promise<void>;
  setDraftContext(dir: string): void;
}

export const useBuildsStore = create<BuildsState>((set, get) => ({
  history: [],
  selected: null,
  error: null,
  draftContext: '',
  setDraftContext: (dir) => set({ draftContext: dir }),
  async load() {
    try {
      const history = await api['builds:history']({});
      set({ history, error: null, selected: get().selected ?? history[0]?.id ?? 'new' });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  select: (id) => set({ selected: id }),
  async start(params) {
    set({ error: null });
    try {
      const { operationId } = await api['builds:start'](params);
      set({ selected: operationId });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async rerun(id) {
    set({ error: null });
    try {
      const { operationId } = await api['builds:rerun']({ id });
      set({ selected: operationId });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async cancel(id) {
    try {
      await api['builds:cancel']({ id });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
}));

api.on('builds:historyChanged', ({ record }) =>
  useBuildsStore.setState((s) => {
    const rest = s.history.filter((r) => r.id !== record.id);
    return { history: [record, ...rest].sort((a, b) => b.startedAt - a.startedAt) };
  }),
);
