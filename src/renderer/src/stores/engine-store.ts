import { create } from 'zustand';
import type { EngineStatusData } from '../../../shared/types';
import { api, asAppError } from '../api';

interface EngineState {
  status: EngineStatusData | null;
  loadError: string | null;
  refreshing: boolean;
  load(): Promise<void>;
  refresh(): Promise<void>;
}

export const useEngineStore = create<EngineState>((set) => ({
  status: null,
  loadError: null,
  refreshing: false,
  async load() {
    try {
      set({ status: await api['engine:status']({}), loadError: null });
    } catch (err) {
      set({ loadError: asAppError(err).message });
    }
  },
  async refresh() {
    set({ refreshing: true });
    try {
      set({ status: await api['engine:refresh']({}), loadError: null });
    } catch (err) {
      set({ loadError: asAppError(err).message });
    } finally {
      set({ refreshing: false });
    }
  },
}));

// Main pushes every change; the view never polls.
api.on('engine:statusChanged', (status) => useEngineStore.setState({ status, loadError: null }));
