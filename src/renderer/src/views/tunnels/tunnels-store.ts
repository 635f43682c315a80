import { create } from 'zustand';
import type { z } from 'zod';
import type { TunnelInfo } from '../../../../shared/contract/tunnels';
import { api, asAppError } from '../../api';

export type TunnelData = z.output<typeof TunnelInfo>;

interface TunnelsState {
  tunnels: TunnelData[];
  error: string | null;
  load(): Promise<void>;
  open(target: string, remotePort: number, localPort: number): Promise<TunnelData | null>;
  close(id: string): Promise<void>;
}

export const useTunnelsStore = create<TunnelsState>((set) => ({
  tunnels: [],
  error: null,
  async load() {
    try {
      set({ tunnels: await api['tunnels:list']({}), error: null });
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async open(target, remotePort, localPort) {
    set({ error: null });
    try {
      const t = await api['tunnels:open']({ target, remotePort, localPort, wait: true });
      set((s) => ({ tunnels: [...s.tunnels.filter((x) => x.id !== t.id), t] }));
      return t;
    } catch (err) {
      set({ error: asAppError(err).message });
      return null;
    }
  },
  async close(id) {
    try {
      await api['tunnels:close']({ id });
      set((s) => ({ tunnels: s.tunnels.filter((t) => t.id !== id) }));
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
}));

api.on('tunnel:stateChanged', (t) =>
  useTunnelsStore.setState((s) => ({
    tunnels: s.tunnels.some((x) => x.id === t.id)
      ? s.tunnels.map((x) => (x.id === t.id ? t : x))
      : [...s.tunnels, t],
  })),
);
