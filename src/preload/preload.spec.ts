import { describe, expect, it, vi, beforeEach } from 'vitest';
import { callNames, eventNames } from '../shared/contract';

// Electron is faked: the test captures what the preload hands to contextBridge.
const exposed: Record<string, unknown> = {};
const invoke = vi.fn();
const on = vi.fn();
const removeListener = vi.fn();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
  ipcRenderer: { invoke, on, removeListener, send: vi.fn(), sendSync: vi.fn() },
}));

describe('preload', () => {
  beforeEach(async () => {
    vi.resetModules();
    for (const k of Object.keys(exposed)) delete exposed[k];
    await import('./index');
  });

  it('exposes exactly one object, window.api', () => {
    expect(Object.keys(exposed)).toEqual(['api']);
  });

  it("exposes exactly the contract's calls and `on`, nothing else", () => {
    const api = exposed.api as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...callNames, 'on'].sort());
    for (const key of Object.keys(api)) expect(typeof api[key]).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    // No raw IPC escapes.
    expect(Object.values(api)).not.toContain(invoke);
  });

  it('sends a call on the channel named by the contract and unwraps the result', async () => {
    invoke.mockResolvedValueOnce({ ok: true, value: { version: '1', shell: 'electron', platform: 'linux' } });
    const api = exposed.api as Record<string, (input: unknown) => Promise<unknown>>;
    await expect(api['app:info']!({})).resolves.toEqual({
      version: '1',
      shell: 'electron',
      platform: 'linux',
    });
    expect(invoke).toHaveBeenLastCalledWith('app:info', {});
  });

  it('rejects with the error data when main answers with an error', async () => {
    invoke.mockResolvedValueOnce({ ok: false, error: { code: 'VALIDATION', message: 'bad' } });
    const api = exposed.api as Record<string, (input: unknown) => Promise<unknown>>;
    await expect(api['engine:status']!({})).rejects.toEqual({ code: 'VALIDATION', message: 'bad' });
  });

  it('refuses to listen to an event the contract does not name', () => {
    const api = exposed.api as { on: (n: string, l: () => void) => () => void };
    expect(() => api.on('ipc:anything', () => undefined)).toThrow();
    const off = api.on(eventNames[0]!, () => undefined);
    expect(on).toHaveBeenCalledWith(eventNames[0], expect.any(Function));
    off();
    expect(removeListener).toHaveBeenCalled();
  });
});
