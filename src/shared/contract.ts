/**
 * The one contract (design.md rule 1). Main's handlers, the preload's window.api, the WebSocket
 * bridge and the renderer's types are all derived from these two maps; nothing else crosses.
 *
 * Each domain declares its calls and events in ./contract/<domain>.ts and is spread in here.
 */
import type { z } from 'zod';
import { appCalls } from './contract/app';
import { engineCalls, engineEvents } from './contract/engine';
import { operationCalls, operationEvents } from './contract/operations';
import { sshCalls, sshEvents } from './contract/ssh';
import { terminalCalls, terminalEvents } from './contract/terminals';
import { tunnelCalls, tunnelEvents } from './contract/tunnels';
import { templateCalls, templateEvents } from './contract/templates';
import { vastCalls } from './contract/vast';
import { accountCalls } from './contract/account';
import { buildCalls, buildEvents } from './contract/builds';
import { runsCalls, runsEvents } from './contract/runs';
import { monitorCalls, monitorEvents } from './contract/monitor';
import { composeCalls } from './contract/compose';
import { instanceInspectCalls } from './contract/instance-inspect';

export const calls = {
  ...appCalls,
  ...engineCalls,
  ...operationCalls,
  ...sshCalls,
  ...terminalCalls,
  ...tunnelCalls,
  ...templateCalls,
  ...vastCalls,
  ...accountCalls,
  ...buildCalls,
  ...runsCalls,
  ...monitorCalls,
  ...composeCalls,
  ...instanceInspectCalls,
} as const;

export const events = {
  ...engineEvents,
  ...operationEvents,
  ...sshEvents,
  ...terminalEvents,
  ...tunnelEvents,
  ...templateEvents,
  ...buildEvents,
  ...runsEvents,
  ...monitorEvents,
} as const;

export type Calls = typeof calls;
export type Events = typeof events;
export type CallName = keyof Calls;
export type EventName = keyof Events;

/** What a caller passes (before defaults are applied). */
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
/** What a handler receives (after validation and defaults). */
export type CallArgs<K extends CallName> = z.output<Calls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>;
export type EventPayload<K extends EventName> = z.output<Events[K]['payload']>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** A call's result on the wire: a value, or an error with a stable code. Never a thrown exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: import('./errors').AppErrorData };

/** The API every renderer sees, whether it comes from the preload or from the WebSocket bridge. */
export type Api = {
  [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>>;
} & {
  /** Listen to one contract event; returns a function that stops listening. */
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
};

/** The envelope carried over IPC and the WebSocket for events. */
export interface EventEnvelope<K extends EventName = EventName> {
  name: K;
  payload: EventPayload<K>;
}
