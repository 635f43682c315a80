import type { z } from 'zod';
import type { instanceInspectCalls } from '../../shared/contract/instance-inspect';
import { AppError } from '../../shared/errors';
import { pause } from '../../shared/pause';
import type { InstanceEndpoints } from '../instance-endpoints';
import { publishedUrl } from '../instance-endpoints';
import { InstanceMetricsSampler, type SampleData } from '../services/monitor';
import type { OperationManager } from '../services/operations';
import {
  snapshotChangeKey,
  SshExecTransport,
  SupervisorClient,
  type SshExecRunner,
} from '../services/supervisor';

type Calls = typeof instanceInspectCalls;
/** One handler per instance-inspect call, typed from its contract alone. */
export type InstanceInspectHandlers = {
  [K in keyof Calls]: (args: z.output<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
};

export interface InstanceInspectDeps {
  /** SshService (its exec on the shared connection pool). */
  ssh: SshExecRunner;
  endpoints: InstanceEndpoints;
  operations: OperationManager;
  /** The monitor's series (MonitorService.recordSample): every SSH metrics sample goes there. */
  recordSample?: (sample: SampleData) => void;
  /** Minimum time between two metric samples of one instance (ms); 5 s in the app. */
  metricsIntervalMs?: number;
}

/** SSH failures that mean the endpoint may have moved (an instance restarted on other ports). */
const STALE_ENDPOINT_CODES = new Set(['SSH_CONNECT', 'SSH_HOST_KEY_MISMATCH', 'TIMEOUT']);

export function createInstanceInspectHandlers(deps: InstanceInspectDeps): InstanceInspectHandlers {
  const { endpoints, operations } = deps;
  const transportFor = async (instanceId: number, signal?: AbortSignal) =>
    new SshExecTransport(deps.ssh, (await endpoints.resolve(instanceId, signal)).target);
  const metrics = new InstanceMetricsSampler({
    transportFor,
    minIntervalMs: deps.metricsIntervalMs,
    onSample: (s) => deps.recordSample?.({ target: `instance:${s.instanceId}`, at: s.at, values: s.values }),
  });

  const supervisorOf = async (instanceId: number, signal?: AbortSignal) =>
    new SupervisorClient(await transportFor(instanceId, signal));

  /** A connection failure forgets the endpoint, so the next try looks it up again. */
  const forgetIfStale = (instanceId: number, err: unknown) => {
    if (err instanceof AppError && STALE_ENDPOINT_CODES.has(err.code)) endpoints.forget(instanceId);
  };
  const onInstance = async <T>(
    instanceId: number,
    work: (supervisor: SupervisorClient) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> => {
    try {
      return await work(await supervisorOf(instanceId, signal));
    } catch (err) {
      forgetIfStale(instanceId, err);
      throw err;
    }
  };

  return {
    'instances:supervisor': ({ instanceId }) => onInstance(instanceId, (s) => s.snapshot()),

    'instances:watchSupervisor': async ({ instanceId, intervalMs }) => {
      // Fail at once (not inside the operation) when the instance is not running or unknown.
      await endpoints.resolve(instanceId);
      const { id: opId } = operations.start({
        kind: 'instance-status',
        title: `Status of instance ${instanceId}`,
        work: async (ctx) => {
          let last = '';
          let lastError = '';
          while (!ctx.signal.aborted) {
            try {
              const snapshot = await onInstance(instanceId, (s) => s.snapshot(ctx.signal), ctx.signal);
              lastError = '';
              const key = snapshotChangeKey(snapshot);
              if (key !== last) {
                last = key;
                ctx.emit('status', snapshot);
              }
            } catch (err) {
              if (ctx.signal.aborted) break;
              // A dropped connection or a reboot is not the end of the watch: say so and try again.
              const message = AppError.from(err).message;
              if (message !== lastError) {
                lastError = message;
                last = '';
                ctx.emit('unreachable', { message });
              }
            }
            await pause(intervalMs, ctx.signal);
          }
          return null;
        },
      });
      return { opId };
    },

    'instances:programControl': ({ instanceId, program, action }) =>
      onInstance(instanceId, (s) => s.control(program, action)),

    'instances:programLog': async ({ instanceId, program, lines }) => ({
      text: await onInstance(instanceId, (s) => s.tailLog(program, lines)),
    }),

    'instances:programLogFollow': async ({ instanceId, program, lines }) => {
      const supervisor = await supervisorOf(instanceId);
      const { id: opId } = operations.start({
        kind: 'program-log',
        title: `${program} log of instance ${instanceId}`,
        work: async (ctx) => {
          await supervisor.followLog(program, { lines, signal: ctx.signal, onText: (t) => ctx.log(t) });
          return null;
        },
      });
      return { opId };
    },

    'instances:portalApps': async ({ instanceId }) => {
      const { instance } = await endpoints.resolve(instanceId);
      const apps = await onInstance(instanceId, (s) => s.portalApps());
      return apps.map((a) => ({ ...a, url: publishedUrl(instance, a.externalPort, a.openPath) }));
    },

    'instances:metrics': async ({ instanceId }) => {
      try {
        return await metrics.sample(instanceId);
      } catch (err) {
        forgetIfStale(instanceId, err);
        throw err;
      }
    },

    'instances:watchMetrics': async ({ instanceId }) => {
      await endpoints.resolve(instanceId);
      const { id: opId } = operations.start({
        kind: 'instance-metrics',
        title: `Metrics of instance ${instanceId}`,
        work: async (ctx) => {
          let lastError = '';
          const release = metrics.watch(instanceId, {
            onSample: (sample) => {
              lastError = '';
              ctx.emit('sample', sample);
            },
            onError: (err) => {
              forgetIfStale(instanceId, err);
              const message = AppError.from(err).message;
              if (message === lastError) return;
              lastError = message;
              ctx.emit('unreachable', { message });
            },
          });
          try {
            await new Promise<void>((resolve) => {
              if (ctx.signal.aborted) resolve();
              else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
            });
          } finally {
            release();
          }
          return null;
        },
      });
      return { opId };
    },
  };
}
