import { create } from 'zustand';

export const VIEWS = [
  { id: 'templates', label: 'Templates', key: '1' },
  { id: 'builds', label: 'Builds', key: '2' },
  { id: 'runs', label: 'Local runs', key: '3' },
  { id: 'vast', label: 'Vast', key: '4' },
  { id: 'terminals', label: 'Terminals', key: '5' },
  { id: 'tunnels', label: 'Tunnels', key: '6' },
  { id: 'monitor', label: 'Monitor', key: '7' },
  { id: 'engine', label: 'Engine', key: '8' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

function fromHash(): ViewId {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0];
  return (VIEWS.find((v) => v.id === id)?.id ?? 'templates') as ViewId;
}

interface NavState {
  view: ViewId;
  go(view: ViewId): void;
}

/** The current view lives in the URL hash, so a notification or a reload can point at a place. */
export const useNavStore = create<NavState>((set) => ({
  view: fromHash(),
  go(view) {
    if (location.hash !== `#/${view}`) location.hash = `#/${view}`;
    set({ view });
  },
}));

window.addEventListener('hashchange', () => useNavStore.setState({ view: fromHash() }));
