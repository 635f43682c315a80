export { dispatch } from './dispatch';
export type { Handlers, DispatchOptions } from './dispatch';
export { EventBus } from './event-bus';
export type { DomainHandlers } from './handler-types';
export type { EventListener } from './event-bus';
export { ViewScopedOperations, VIEW_SCOPED_CALLS } from './view-scoped-operations';
