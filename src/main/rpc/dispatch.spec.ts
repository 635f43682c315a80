import { describe, expect, it } from 'vitest';
import { dispatch, type Handlers } from './dispatch';
import { callNames } from '../../shared/contract';
import { AppError } from '../../shared/errors';

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const base = Object.fromEntries(
    callNames.map((n) => [n, () => Promise.reject(new Error(`no handler for ${n}`))]),
  );
  return { ...base, ...overrides } as Handlers;
}

describe('dispatch', () => {
  it('refuses an unknown call with UNKNOWN_CALL', async () => {
    const r = await dispatch(handlers(), 'shell:exec', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
  });

  it('refuses invalid input with VALIDATION before the handler runs', async () => {
    let ran = false;
    const h = handlers({ 'operations:cancel': () => ((ran = true), { ok: true as const }) });
    const r = await dispatch(h, 'operations:cancel', { id: 42 });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(ran).toBe(false);
    const extra = await dispatch(h, 'operations:cancel', { id: 'a', sneaky: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('passes an AppError through with its code', async () => {
    const h = handlers({ 'operations:cancel': () => Promise.reject(new AppError('NOT_FOUND', 'gone')) });
    expect(await dispatch(h, 'operations:cancel', { id: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'gone' },
    });
  });

  it('turns a crash into INTERNAL and reports it', async () => {
    const seen: string[] = [];
    const h = handlers({
      'operations:cancel': () => {
        throw new TypeError('boom');
      },
    });
    const r = await dispatch(h, 'operations:cancel', { id: 'x' }, { onInternalError: (n) => seen.push(n) });
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(seen).toEqual(['operations:cancel']);
  });

  it('refuses a handler reply that breaks the output schema', async () => {
    const h = handlers({ 'app:info': () => ({ version: 1 }) as never });
    expect(await dispatch(h, 'app:info', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('returns the validated value on success', async () => {
    const h = handlers({
      'app:info': () => ({
        version: '1.0.0',
        shell: 'browser' as const,
        platform: 'linux',
        demoTemplate: null,
      }),
    });
    expect(await dispatch(h, 'app:info', undefined)).toEqual({
      ok: true,
      value: { version: '1.0.0', shell: 'browser', platform: 'linux', demoTemplate: null },
    });
  });
});
