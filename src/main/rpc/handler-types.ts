import type { Calls, CallName } from '../../shared/contract';
import type { Handlers } from './dispatch';

/** The handlers of one domain: those of the given call map that the contract names. */
export type DomainHandlers<T> = { [K in keyof T & CallName]: Handlers[K] };

export type { Calls };
