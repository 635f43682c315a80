import type { engineCalls } from '../../shared/contract/engine';
import type { DomainHandlers } from '../rpc';
import type { EngineMonitor } from '../services/docker';

export function createEngineHandlers(monitor: EngineMonitor): DomainHandlers<typeof engineCalls> {
  return {
    'engine:status': () => monitor.current(),
    'engine:refresh': () => monitor.check(),
  };
}
