import type { z } from 'zod';
import type { monitorCalls, monitorEvents } from '../../../../shared/contract/monitor';
import { api } from '../../api';

type Calls = typeof monitorCalls;
type Events = typeof monitorEvents;

/**
 * The monitor's slice of window.api, typed from its own contract file, so these views compile
 * whether or not the contract map spreads it yet. At run time it is the same api object.
 */
export type MonitorApi = {
  [K in keyof Calls]: (input: z.input<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
} & {
  on<K extends keyof Events>(
    name: K,
    listener: (payload: z.output<Events[K]['payload']>) => void,
  ): () => void;
};

export const monitorApi = api as unknown as MonitorApi;

export type FleetData = z.output<Calls['monitor:fleet']['output']>;
export type TargetData = FleetData['targets'][number];
export type SettingsData = z.output<Calls['monitor:settings']['output']>;
export type NotificationData = z.output<Events['notification:raised']['payload']>;
export type SampledData = z.output<Events['monitor:sampled']['payload']>;
