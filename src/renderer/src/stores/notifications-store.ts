import { create } from 'zustand';
import { monitorApi, type NotificationData } from '../views/monitor/monitor-api';
import { useFocusStore } from './focus-store';

/** Toasts on screen at once; older ones leave the stack but stay in the history. */
const MAX_TOASTS = 4;
const MAX_HISTORY = 100;
/** An error stays until dismissed; the rest leave on their own. */
const TOAST_MS = 8000;

interface NotificationsState {
  toasts: NotificationData[];
  history: NotificationData[];
  dismiss(id: string): void;
  /** Shows a notification's place: its view, then the element it names. */
  open(n: NotificationData): void;
}

export const useNotificationsStore = create<NotificationsState>((set, get) => ({
  toasts: [],
  history: [],
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  open(n) {
    get().dismiss(n.id);
    navigateTo(n.target);
  },
}));

/** The hash route is the app's navigation (nav-store follows it), so this works from anywhere. */
export function navigateTo(target: NotificationData['target']): void {
  const hash = `#/${target.view}`;
  if (location.hash !== hash) location.hash = hash;
  if (!target.anchor) return;
  const anchor = target.anchor;
  // The view may have to select or open something before the element exists (a run's program log).
  // The intent ends with this search, found or not, so no view acts on it later by surprise.
  const intent = useFocusStore.getState().request(target);
  // The view renders after the hash changes; look for the element for a while.
  const deadline = performance.now() + 20_000;
  const find = () => {
    const el = document.getElementById(anchor);
    if (el) {
      useFocusStore.getState().done(intent);
      el.scrollIntoView({ block: 'center' });
      el.classList.add('monitor-flash');
      setTimeout(() => el.classList.remove('monitor-flash'), 2000);
      return;
    }
    if (performance.now() < deadline) requestAnimationFrame(find);
    else useFocusStore.getState().done(intent);
  };
  requestAnimationFrame(find);
}

function add(n: NotificationData): void {
  const s = useNotificationsStore.getState();
  if (s.history.some((h) => h.id === n.id)) return;
  useNotificationsStore.setState({
    toasts: [n, ...s.toasts].slice(0, MAX_TOASTS),
    history: [n, ...s.history].slice(0, MAX_HISTORY),
  });
  if (n.severity !== 'error') setTimeout(() => useNotificationsStore.getState().dismiss(n.id), TOAST_MS);
}

let connected = false;

/** Listens to notification:raised (once per page) and reads what was raised before the page opened. */
export function connectNotifications(): void {
  if (connected) return;
  connected = true;
  monitorApi.on('notification:raised', add);
  // The desktop app shows OS notifications; a click on one comes back here to open its place.
  monitorApi.on('notification:opened', (n) => useNotificationsStore.getState().open(n));
  void monitorApi['notifications:list']({}).then(
    (list) => {
      const known = new Set(useNotificationsStore.getState().history.map((h) => h.id));
      const older = list.filter((n) => !known.has(n.id));
      useNotificationsStore.setState((s) => ({
        history: [...s.history, ...older].sort((a, b) => b.at - a.at).slice(0, MAX_HISTORY),
      }));
    },
    () => undefined,
  );
}
