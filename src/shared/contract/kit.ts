import { z } from 'zod';

/** One call of the contract: its input schema, its output schema and what it does. */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly summary: string;
}

/** One event of the contract: its payload schema. Events flow main -> renderer only. */
export interface EventSpec<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  readonly summary: string;
}

export function call<I extends z.ZodType, O extends z.ZodType>(
  input: I,
  output: O,
  summary: string,
): CallSpec<I, O> {
  return { input, output, summary };
}

export function event<P extends z.ZodType>(payload: P, summary: string): EventSpec<P> {
  return { payload, summary };
}

/** An input that carries nothing. Still an object so that every call has the same shape on the wire. */
export const NoInput = z.object({}).strict();
/** An output that carries nothing but success. */
export const Done = z.object({ ok: z.literal(true) });
