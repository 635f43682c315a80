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
  /** Every port the run or instance declares; throws with the reason so the caller can show it. */
  openDeclared(target: string): Promise<{ tunnels: TunnelData[]; warning: string | null }>;
  /** Tries a failed tunnel again on the same local port. */
  reopen(id: string): Promise<void>;
  close(id: string): Promise<void>;
}

function merge(list: TunnelData[], incoming: TunnelData[]): TunnelData[] {
  const byId = new Map(incoming.map((t) => [t.id, t]));
  const kept = list.map((t) => byId.get(t.id) ?? t);
  return [...kept, ...incoming.filter((t) => !list.some((x) => x.id === t.id))];
}

/** Tunnels closed from here: a last 'idle' event racing the close must not bring a row back. */
const closedIds = new Set<string>();

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
      set((s) => ({ tunnels: merge(s.tunnels, [t]) }));
      return t;
    } catch (err) {
      set({ error: asAppError(err).message });
      return null;
    }
  },
  async openDeclared(target) {
    const result = await api['tunnels:openDeclared']({ target });
    set((s) => ({ tunnels: merge(s.tunnels, result.tunnels) }));
    return result;
  },
  async reopen(id) {
    set({ error: null });
    try {
      const t = await api['tunnels:reopen']({ id });
      set((s) => ({ tunnels: merge(s.tunnels, [t]) }));
    } catch (err) {
      set({ error: asAppError(err).message });
    }
  },
  async close(id) {
    closedIds.add(id);
    try {
      await api['tunnels:close']({ id });
      set((s) => ({ tunnels: s.tunnels.filter((t) => t.id !== id) }));
    } catch (err) {
      closedIds.delete(id);
      set({ error: asAppError(err).message });
    }
  },
}));

/**
 * Opens a tunnel's app in the browser. Main builds the URL (with the portal token, which the
 * renderer never holds otherwise); window.open reaches the OS browser in the desktop shell through
 * its loopback-only window-open handler, and a new tab in the browser shell.
 */
export async function openTunnelInBrowser(id: string): Promise<void> {
  const { url } = await api['tunnels:openUrl']({ id });
  window.open(url, '_blank', 'noopener,noreferrer');
}

api.on('tunnel:stateChanged', (t) => {
  if (closedIds.has(t.id)) return;
  useTunnelsStore.setState((s) => ({ tunnels: merge(s.tunnels, [t]) }));
});
