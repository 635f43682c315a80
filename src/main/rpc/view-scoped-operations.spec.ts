import { describe, expect, it } from 'vitest';
import { ViewScopedOperations } from './view-scoped-operations';

describe('ViewScopedOperations', () => {
  it('cancels the operations of view-scoped calls that succeeded, once, and nothing else', () => {
    const scoped = new ViewScopedOperations();
    scoped.track('runs:watchStatus', { ok: true, value: { opId: 'watch-1' } });
    scoped.track('instances:watchMetrics', { ok: true, value: { opId: 'metrics-1' } });
    // A build is the user's work, not a view's: it outlives the page.
    scoped.track('builds:start', { ok: true, value: { opId: 'build-1' } });
    scoped.track('runs:programLogFollow', { ok: false });
    const cancelled: string[] = [];
    expect(scoped.cancelAll((id) => cancelled.push(id))).toBe(2);
    expect(cancelled).toEqual(['watch-1', 'metrics-1']);
    expect(scoped.cancelAll((id) => cancelled.push(id))).toBe(0);
  });

  it('skips operations the manager already forgot', () => {
    const scoped = new ViewScopedOperations();
    scoped.track('runs:watchStatus', { ok: true, value: { opId: 'gone' } });
    scoped.track('runs:watchStatus', { ok: true, value: { opId: 'live' } });
    const cancelled: string[] = [];
    const count = scoped.cancelAll((id) => {
      if (id === 'gone') throw new Error('NOT_FOUND');
      cancelled.push(id);
    });
    expect(count).toBe(1);
    expect(cancelled).toEqual(['live']);
  });
});
