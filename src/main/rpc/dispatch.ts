import {
  calls,
  isCallName,
  type CallArgs,
  type CallName,
  type CallOutput,
  type Result,
} from '../../shared/contract';
import { AppError } from '../../shared/errors';

/** One handler per contract call; the only way main answers a renderer. */
export type Handlers = {
  [K in CallName]: (args: CallArgs<K>) => Promise<CallOutput<K>> | CallOutput<K>;
};

export interface DispatchOptions {
  /** Called with every unexpected (INTERNAL) error, for the log. Never receives secrets by construction. */
  onInternalError?: (name: string, err: unknown) => void;
}

/**
 * The boundary (design.md rule 1): an untrusted name and input come in from IPC or a WebSocket, and
 * a Result goes out. The input is validated against the contract before any handler sees it; the
 * output is validated too, so a handler's bug becomes an INTERNAL error instead of a malformed reply.
 */
export async function dispatch(
  handlers: Handlers,
  name: unknown,
  rawInput: unknown,
  options: DispatchOptions = {},
): Promise<Result<unknown>> {
  if (!isCallName(name)) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_CALL',
        message: `There is no call named ${JSON.stringify(String(name)).slice(0, 80)}.`,
      },
    };
  }
  const spec = calls[name];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'VALIDATION',
        message: `Invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
        details: {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
      },
    };
  }
  try {
    const handler = handlers[name] as (args: unknown) => unknown;
    const value = await handler(parsed.data);
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      const err = new AppError(
        'INTERNAL',
        `The app produced an invalid reply for ${name}. Please report this.`,
      );
      options.onInternalError?.(name, checked.error);
      return { ok: false, error: err.toData() };
    }
    return { ok: true, value: checked.data };
  } catch (err) {
    const appError = AppError.from(err);
    if (appError.code === 'INTERNAL') options.onInternalError?.(name, err);
    return { ok: false, error: appError.toData() };
  }
}
