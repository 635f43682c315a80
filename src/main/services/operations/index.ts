export { OperationManager, DEFAULT_LIMITS } from './operation-manager';
export type { OperationContext, OperationSink, OperationLimits, StartOptions } from './operation-manager';
