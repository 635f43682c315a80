/** Domain types inferred from the contract's schemas, for code on either side. */
import type { z } from 'zod';
import type { DockerEndpoint, EngineFacts, EngineStatus } from './contract/engine';
import type { OperationEvent, OperationSummary, OperationState } from './contract/operations';
import type { AppInfo } from './contract/app';

export type DockerEndpointData = z.output<typeof DockerEndpoint>;
export type EngineFactsData = z.output<typeof EngineFacts>;
export type EngineStatusData = z.output<typeof EngineStatus>;
export type OperationEventData = z.output<typeof OperationEvent>;
export type OperationSummaryData = z.output<typeof OperationSummary>;
export type OperationStateData = z.output<typeof OperationState>;
export type AppInfoData = z.output<typeof AppInfo>;
