import { useEffect } from 'react';
import { connectNotifications, useNotificationsStore } from '../../stores/notifications-store';
import './monitor.css';

/**
 * In-app notifications (the browser shell's stand-in for OS notifications): a stack in a live
 * region, so a screen reader reads each one as it arrives. Clicking one opens its place.
 */
export function ToastStack() {
  const { toasts, dismiss, open } = useNotificationsStore();
  useEffect(() => connectNotifications(), []);
  return (
    <div className="toast-stack" role="region" aria-label="Notifications" aria-live="polite">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast-${t.severity}`}
          role={t.severity === 'error' ? 'alert' : 'status'}
        >
          <button
            type="button"
            className="toast-open"
            onClick={() => open(t)}
            title="Open where this happened"
          >
            <strong className="toast-title">{t.title}</strong>
            <span className="toast-body">{t.body}</span>
          </button>
          <button
            type="button"
            className="toast-close"
            aria-label={`Dismiss: ${t.title}`}
            onClick={() => dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
