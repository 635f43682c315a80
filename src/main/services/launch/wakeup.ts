/**
 * A pause that a polling loop waits on, which an event can cut short: readiness checks then run the
 * moment the container says something changed, and still run on a timer when it says nothing.
 * A wake that arrives while the loop is busy (not pausing) is kept, so the next pause ends at once:
 * no signal is lost between two checks.
 */
export class Wakeup {
  private readonly waiters = new Set<(woken: boolean) => void>();
  private pending = false;

  wake(): void {
    if (this.waiters.size === 0) {
      this.pending = true;
      return;
    }
    for (const resolve of [...this.waiters]) resolve(true);
  }

  /**
   * Waits `ms`, or less if woken or if the signal aborts (the caller checks the signal itself).
   * Resolves true when it was woken. One loop per Wakeup: a wake ends every pause under way.
   */
  pause(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(woken);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
