import { callNames, isEventName, type EventName, type Result } from '../shared/contract';

/** The slice of ipcRenderer the preload uses; a test can hand in a fake. */
export interface IpcLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * window.api, derived from the contract: one function per call (its IPC channel is the call's name)
 * and `on` for the contract's events. Nothing else, and no way to reach an arbitrary channel.
 * Errors arrive as plain `{code, message, details}` objects: Error subclasses do not survive the bridge.
 */
export function buildPreloadApi(ipc: IpcLike): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const name of callNames) {
    api[name] = async (input: unknown) => {
      const result = (await ipc.invoke(name, input ?? {})) as Result<unknown>;
      if (result && typeof result === 'object' && 'ok' in result) {
        if (result.ok) return result.value;
        throw result.error;
      }
      throw { code: 'INTERNAL', message: `Malformed reply for ${name}.` };
    };
  }
  api.on = (name: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(name))
      throw { code: 'UNKNOWN_CALL', message: `There is no event named ${String(name)}.` };
    if (typeof listener !== 'function')
      throw { code: 'VALIDATION', message: 'on() needs a listener function.' };
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipc.on(name, wrapped);
    return () => void ipc.removeListener(name, wrapped);
  };
  return Object.freeze(api);
}
