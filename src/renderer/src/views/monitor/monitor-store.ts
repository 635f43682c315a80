import { create } from 'zustand';
import { asAppError } from '../../api';
import { redrawCharts } from './live-charts';
import { SeriesWindow } from './series-window';
import { shareTargets, stableOrder } from './target-order';
import {
  monitorApi,
  type FleetData,
  type SampledData,
  type SettingsData,
  type TargetData,
} from './monitor-api';

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
  /** The fleet's targets in attention order (the same array while the order and rows hold). */
  ordered: TargetData[];
  /** Each target by key, for views that show one (an instance card): the same objects as `fleet`. */
  byKey: Map<string, TargetData>;
  /** The keys of `ordered`: a new array only when the order itself changed (the list re-measures). */
  orderKeys: string[];
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
  ordered: [],
  byKey: new Map(),
  orderKeys: [],
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
 * Update costs per poll (ms), read by the 500-instance benchmark; bounded.
 * - `work`: the update's main-thread cost: applying the data, React's render and commit (React
 *   renders in a microtask queued by setState), the charts' redraw (uPlot draws in microtasks queued
 *   by setData), and the style and layout they cause (forced at the end). Measured in a microtask
 *   queued after all of those, so it holds this update's work and nothing else.
 * - `task`: the time to the next task instead. That adds whatever the scheduler runs first (often
 *   the display's frame, with its paint, or another socket message), and the OS's time slices on a
 *   busy machine: an upper bound, kept so the two can be compared.
 * - `frame`: the time to the next animation frame, which adds the wait for the display's next tick
 *   (0–16 ms).
 */
const TIMES_KEY = {
  work: '__tstudioMonitorUpdateMs',
  task: '__tstudioMonitorTaskMs',
  frame: '__tstudioMonitorFrameMs',
} as const;
function record(kind: keyof typeof TIMES_KEY, ms: number): void {
  const g = globalThis as unknown as Record<string, number[] | undefined>;
  const list = (g[TIMES_KEY[kind]] ??= []);
  list.push(ms);
  if (list.length > 1000) list.splice(0, list.length - 1000);
}

/** The keys in order, or `prev` when they are the same keys in the same order. */
function keysOf(ordered: readonly TargetData[], prev: string[]): string[] {
  if (prev.length === ordered.length && ordered.every((t, i) => t.key === prev[i])) return prev;
  return ordered.map((t) => t.key);
}

/**
 * Set by the benchmark's profile mode: each update also leaves a performance measure for the trace.
 * Off otherwise, and taken after the time is read, so the instrument is not part of what it measures.
 */
const TRACE_KEY = '__tstudioMonitorTrace';

/**
 * Runs `fn` after the microtasks queued so far and those they queue in turn, a few levels deep:
 * React's render (queued by setState) queues uPlot's draws (setData in an effect) as microtasks.
 */
function afterMicrotasks(fn: () => void, depth = 3): void {
  queueMicrotask(() => (depth <= 1 ? fn() : afterMicrotasks(fn, depth - 1)));
}

let pollSeq = 0;
function applyPoll(payload: SampledData): void {
  const seq = ++pollSeq;
  const start = performance.now();
  const windowMs = payload.fleet.intervalMs * WINDOW_POINTS || DEFAULT_WINDOW_MS;
  for (const s of payload.samples) windowFor(s.target, windowMs).append(s.at, s.values);
  // Targets gone from the fleet (destroyed, removed) keep nothing in memory.
  if (windows.size > payload.fleet.targets.length) {
    const live = new Set(payload.fleet.targets.map((t) => t.key));
    for (const key of windows.keys()) if (!live.has(key)) windows.delete(key);
  }
  // Unchanged targets stay the same objects, so their rows skip rendering.
  useMonitorStore.setState((s) => {
    const targets = shareTargets(s.fleet?.targets, payload.fleet.targets);
    const ordered = stableOrder(s.ordered, targets);
    return {
      fleet: { ...payload.fleet, targets },
      byKey: targets === s.fleet?.targets ? s.byKey : new Map(targets.map((t) => [t.key, t])),
      ordered,
      orderKeys: keysOf(ordered, s.orderKeys),
      version: s.version + 1,
      error: null,
    };
  });
  redrawCharts(seriesOf);
  // After React's render and uPlot's draws, however they were queued.
  afterMicrotasks(() => {
    void document.body.offsetHeight; // style and layout of what changed, now rather than at the frame
    const end = performance.now();
    record('work', end - start);
    if ((globalThis as Record<string, unknown>)[TRACE_KEY]) {
      performance.measure(`monitor-update-${seq}`, { start, end });
    }
  });
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    record('task', performance.now() - start);
  };
  channel.port2.postMessage(null);
  requestAnimationFrame(() => record('frame', performance.now() - start));
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
      useMonitorStore.setState((st) =>
        st.fleet && st.fleet.at > fleet.at
          ? { settings, version: st.version + 1 }
          : {
              fleet,
              byKey: new Map(fleet.targets.map((t) => [t.key, t])),
              ordered: stableOrder(null, fleet.targets),
              orderKeys: fleet.targets.length ? keysOf(stableOrder(null, fleet.targets), []) : [],
              settings,
              version: st.version + 1,
            },
      );
      redrawCharts(seriesOf);
    } catch (err) {
      useMonitorStore.setState({ error: asAppError(err).message });
      connected = null;
    }
  })();
  return connected;
}
