import { create } from 'zustand';
import { asAppError } from '../../api';
import { SeriesWindow } from './series-window';
import { monitorApi, type FleetData, type SampledData, type SettingsData } from './monitor-api';

/** Two hours of points at the default 10 s interval, like main's rings. */
export const WINDOW_POINTS = 720;
const DEFAULT_WINDOW_MS = 2 * 60 * 60 * 1000;

/** Series per target; outside React state on purpose: 500 targets × 7 metrics change every poll. */
const windows = new Map<string, SeriesWindow>();

export function seriesOf(target: string): SeriesWindow | undefined {
  return windows.get(target);
}

function windowFor(target: string, windowMs: number): SeriesWindow {
  let w = windows.get(target);
  if (!w) {
    w = new SeriesWindow(windowMs, WINDOW_POINTS);
    windows.set(target, w);
  }
  return w;
}

interface MonitorState {
  fleet: FleetData | null;
  /** Bumped once per applied poll; charts redraw on it. */
  version: number;
  error: string | null;
  settings: SettingsData | null;
  polling: boolean;
  pollNow(): Promise<void>;
  saveSettings(patch: Parameters<(typeof monitorApi)['monitor:setSettings']>[0]): Promise<void>;
}

export const useMonitorStore = create<MonitorState>((set) => ({
  fleet: null,
  version: 0,
  error: null,
  settings: null,
  polling: false,
  async pollNow() {
    set({ polling: true });
    try {
      await monitorApi['monitor:pollNow']({});
    } catch (err) {
      set({ error: asAppError(err).message });
    } finally {
      set({ polling: false });
    }
  },
  async saveSettings(patch) {
    const settings = await monitorApi['monitor:setSettings'](patch);
    set({ settings });
  },
}));

/**
 * Update costs per poll (ms), read by the 500-instance benchmark; bounded. `work` is the update's
 * main-thread cost: applying the data, React's commit and the charts' redraw (both flushed in
 * microtasks), and the style and layout they cause (forced before measuring). `frame` is the time
 * to the next animation frame, which adds the wait for the display's next tick (0–16 ms).
 */
const TIMES_KEY = { work: '__tstudioMonitorUpdateMs', frame: '__tstudioMonitorFrameMs' } as const;
function record(kind: keyof typeof TIMES_KEY, ms: number): void {
  const g = globalThis as unknown as Record<string, number[] | undefined>;
  const list = (g[TIMES_KEY[kind]] ??= []);
  list.push(ms);
  if (list.length > 1000) list.splice(0, list.length - 1000);
}

let pollSeq = 0;
function applyPoll(payload: SampledData): void {
  const seq = ++pollSeq;
  const startMark = `monitor-apply-${seq}`;
  performance.mark(startMark);
  const windowMs = payload.fleet.intervalMs * WINDOW_POINTS || DEFAULT_WINDOW_MS;
  for (const s of payload.samples) windowFor(s.target, windowMs).append(s.at, s.values);
  // Targets gone from the fleet (destroyed, removed) keep nothing in memory.
  if (windows.size > payload.fleet.targets.length) {
    const live = new Set(payload.fleet.targets.map((t) => t.key));
    for (const key of windows.keys()) if (!live.has(key)) windows.delete(key);
  }
  useMonitorStore.setState((s) => ({ fleet: payload.fleet, version: s.version + 1, error: null }));
  // A task queued now runs after the microtasks that flush React and uPlot.
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    void document.body.offsetHeight; // style and layout of what changed, now rather than at the frame
    record('work', performance.measure(`monitor-update-${seq}`, startMark).duration);
    requestAnimationFrame(() => {
      record('frame', performance.measure(`monitor-frame-${seq}`, startMark).duration);
      performance.clearMarks(startMark);
      performance.clearMeasures(`monitor-update-${seq}`);
      performance.clearMeasures(`monitor-frame-${seq}`);
    });
  };
  channel.port2.postMessage(null);
}

let connected: Promise<void> | null = null;

/** Starts following the monitor (once per page): the fleet, the kept series, then every poll. */
export function connectMonitor(): Promise<void> {
  connected ??= (async () => {
    monitorApi.on('monitor:sampled', applyPoll);
    try {
      const [fleet, settings] = await Promise.all([
        monitorApi['monitor:fleet']({}),
        monitorApi['monitor:settings']({}),
      ]);
      const windowMs = fleet.intervalMs * WINDOW_POINTS || DEFAULT_WINDOW_MS;
      const { series } = await monitorApi['monitor:samples']({ since: Date.now() - windowMs });
      for (const s of series) windowFor(s.target, windowMs).load(s);
      useMonitorStore.setState((st) => ({
        fleet: st.fleet && st.fleet.at > fleet.at ? st.fleet : fleet,
        settings,
        version: st.version + 1,
      }));
    } catch (err) {
      useMonitorStore.setState({ error: asAppError(err).message });
      connected = null;
    }
  })();
  return connected;
}
