import type { Api } from '../../../shared/contract';
import { AppError, isAppErrorData } from '../../../shared/errors';
import { createWsApi, type ConnectionState } from './ws-bridge';

declare global {
  interface Window {
    /** Present in the desktop app (the preload); absent in the browser shell. */
    api?: Api;
  }
}

let connectionListener: ((s: ConnectionState) => void) | null = null;
export function onConnectionState(listener: (s: ConnectionState) => void): void {
  connectionListener = listener;
}

/** The one API the views use: the preload's in Electron, the WebSocket bridge in a browser. */
export const api: Api =
  window.api ??
  createWsApi(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, (s) =>
    connectionListener?.(s),
  );

/** A caught rejection as an AppError, whichever bridge produced it. */
export function asAppError(err: unknown): AppError {
  if (isAppErrorData(err)) return new AppError(err.code, err.message, err.details);
  return AppError.from(err);
}

export const isBrowserShell = window.api === undefined;
