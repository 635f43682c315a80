export { resolveDockerEndpoint, dockerodeOptions } from './endpoint';
export type { EndpointEnvironment } from './endpoint';
export { createDockerClient, readEngineFacts, compareApiVersions, unreachable } from './engine';
export { EngineMonitor } from './engine-monitor';
export type { EngineMonitorOptions } from './engine-monitor';
export * from './build/index';
export * from './push/index';
export * from './registry/index';
