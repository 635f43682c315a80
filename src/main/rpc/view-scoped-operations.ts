import type { CallName } from '../../shared/contract';

/**
 * Calls whose operation only feeds the view that started it: a live status, metrics or log follow.
 * Views cancel them when they unmount; a browser tab that is closed or loses its connection cannot,
 * so the shell cancels them for it (otherwise each would keep an exec or SSH poll going forever).
 */
export const VIEW_SCOPED_CALLS: ReadonlySet<CallName> = new Set<CallName>([
  'runs:watchStatus',
  'runs:programLogFollow',
  'instances:watchSupervisor',
  'instances:programLogFollow',
  'instances:watchMetrics',
]);

/** The view-scoped operations one connection started, to cancel when it goes away. */
export class ViewScopedOperations {
  private readonly ids = new Set<string>();

  /** Notes the operation a call started, when the call is view-scoped and succeeded. */
  track(name: string, result: { ok: boolean; value?: unknown }): void {
    if (!result.ok || !VIEW_SCOPED_CALLS.has(name as CallName)) return;
    const opId = (result.value as { opId?: unknown } | undefined)?.opId;
    if (typeof opId === 'string') this.ids.add(opId);
  }

  /** Cancels every tracked operation (finished or forgotten ones are skipped). */
  cancelAll(cancel: (id: string) => void): number {
    let cancelled = 0;
    for (const id of this.ids) {
      try {
        cancel(id);
        cancelled++;
      } catch {
        // Already forgotten by the operation manager: nothing left to stop.
      }
    }
    this.ids.clear();
    return cancelled;
  }
}
