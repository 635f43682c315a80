/**
 * The WebSocket bridge's wire format. It carries exactly the contract: a call by name with its
 * input, the call's Result, and contract events. Both ends validate what they receive.
 */
import { z } from 'zod';

export const ClientMessage = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  input: z.unknown(),
});
export type ClientMessageData = z.infer<typeof ClientMessage>;

export const ServerMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('result'), id: z.number().int(), result: z.unknown() }),
  z.object({ t: z.literal('event'), name: z.string(), payload: z.unknown() }),
  /** The socket fell behind and some events were dropped: re-read state (operations:replay). */
  z.object({ t: z.literal('resync') }),
]);
export type ServerMessageData = z.infer<typeof ServerMessage>;

/** Largest message a client may send (a terminal paste is the biggest legitimate one). */
export const MAX_CLIENT_MESSAGE_BYTES = 4 * 1024 * 1024;
