import { z } from 'zod';
import { AppErrorShape } from '../errors';
import { call, event, Done } from './kit';

export const OperationId = z.string().min(1).max(100);

export const OperationState = z.enum(['running', 'succeeded', 'failed', 'cancelled']);

/**
 * One event of a long-running operation. `seq` starts at 1 and increases by one per event of that
 * operation, so a view can tell whether it missed anything and ask for a replay from where it was.
 */
export const OperationEvent = z.object({
  opId: OperationId,
  seq: z.number().int().positive(),
  /** Milliseconds since the epoch. */
  at: z.number(),
  /** `log` (coalesced text), `state` (the operation ended or changed state) or a domain-specific type. */
  type: z.string().min(1),
  data: z.unknown(),
});

export const OperationSummary = z.object({
  id: OperationId,
  /** What kind of work this is: `build`, `push`, `run`… */
  kind: z.string(),
  /** A short human title: "Build vastai/demo:dev". */
  title: z.string(),
  state: OperationState,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  /** The sequence number of the newest event. */
  lastSeq: z.number().int().nonnegative(),
  error: AppErrorShape.nullable(),
  result: z.unknown().optional(),
});

export const operationCalls = {
  'operations:list': call(
    z.object({ kind: z.string().optional() }).strict(),
    z.array(OperationSummary),
    'Every operation main remembers, newest first.',
  ),
  'operations:replay': call(
    z.object({ id: OperationId, afterSeq: z.number().int().nonnegative().default(0) }).strict(),
    z.object({
      summary: OperationSummary,
      events: z.array(OperationEvent),
      /** True when the bounded buffer dropped events older than the first one returned. */
      truncated: z.boolean(),
    }),
    'The events of one operation after a sequence number, from the replay buffer.',
  ),
  'operations:cancel': call(
    z.object({ id: OperationId }).strict(),
    Done,
    'Cancel an operation; its AbortSignal fires all the way down.',
  ),
} as const;

export const operationEvents = {
  'operation:updated': event(OperationEvent, 'An operation produced an event (log text, step, state…).'),
  'operation:stateChanged': event(OperationSummary, 'An operation started or ended.'),
} as const;
