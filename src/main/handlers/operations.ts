import type { operationCalls } from '../../shared/contract/operations';
import type { DomainHandlers } from '../rpc';
import type { OperationManager } from '../services/operations';

export function createOperationHandlers(operations: OperationManager): DomainHandlers<typeof operationCalls> {
  return {
    'operations:list': ({ kind }) => operations.list(kind),
    'operations:replay': ({ id, afterSeq }) => operations.replay(id, afterSeq),
    'operations:cancel': ({ id }) => {
      operations.cancel(id);
      return { ok: true as const };
    },
  };
}
