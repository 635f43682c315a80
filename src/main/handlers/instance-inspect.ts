import type { z } from 'zod';
import type { instanceInspectCalls } from '../../shared/contract/instance-inspect';
import { AppError } from '../../shared/errors';
import { pause } from '../../shared/pause';
import type { InstanceEndpoints } from '../instance-endpoints';
import { publishedUrl } from '../instance-endpoints';
import { InstanceMetricsSampler, type SampleData } from '../services/monitor';
import type { OperationManager } from '../services/operations';
import { targetKey, type ConnectionLease, type SshService } from '../services/ssh';
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
  /** SshService: exec on the shared connection pool, and the pool itself for watches to hold. */
  ssh: SshExecRunner & { pool: Pick<SshService['pool'], 'acquire'> };
  endpoints: InstanceEndpoints;
  operations: OperationManager;
  /** The monitor's series (MonitorService.recordSample): every SSH metrics sample goes there. */
  recordSample?: (sample: SampleData) => void;
  /** Minimum time between two metric samples of one instance (ms); 5 s in the app. */
  metricsIntervalMs?: number;
}

/** SSH failures that mean the endpoint may have moved (an instance restarted on other ports). */
const STALE_ENDPOINT_CODES = new Set(['SSH_CONNECT', 'SSH_HOST_KEY_MISMATCH', 'TIMEOUT']);

/**
 * Holds the pooled SSH connection to an instance for the life of a watch. The pool closes a
 * connection when its last user lets go, so without a holder every refresh would be a new
 * handshake (a second or more through Vast's SSH proxy). Follows the endpoint if it moves.
 */
class ConnectionHold {
  private held: { key: string; lease: ConnectionLease } | null = null;

  constructor(
    private readonly deps: InstanceInspectDeps,
    private readonly instanceId: number,
  ) {}

  async refresh(signal?: AbortSignal): Promise<void> {
    const { target } = await this.deps.endpoints.resolve(this.instanceId, signal);
    const key = targetKey(target);
    if (this.held?.key === key) return;
    this.release();
    this.held = { key, lease: this.deps.ssh.pool.acquire(target) };
  }

  release(): void {
    this.held?.lease.release();
    this.held = null;
  }
}

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
  const isStale = (err: unknown) => err instanceof AppError && STALE_ENDPOINT_CODES.has(err.code);
  const forgetIfStale = (instanceId: number, err: unknown) => {
    if (isStale(err)) endpoints.forget(instanceId);
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
          const hold = new ConnectionHold(deps, instanceId);
          try {
            while (!ctx.signal.aborted) {
              try {
                await hold.refresh(ctx.signal);
                const snapshot = await onInstance(instanceId, (s) => s.snapshot(ctx.signal), ctx.signal);
                lastError = '';
                const key = snapshotChangeKey(snapshot);
                if (key !== last) {
                  last = key;
                  ctx.emit('status', snapshot);
                }
              } catch (err) {
                if (ctx.signal.aborted) break;
                // A link that timed out may be dead without knowing it yet: let it go, so the next
                // refresh makes a fresh connection instead of waiting for keepalive to notice.
                if (isStale(err)) hold.release();
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
          } finally {
            hold.release();
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
          const hold = new ConnectionHold(deps, instanceId);
          const keepHeld = () => void hold.refresh(ctx.signal).catch(() => undefined);
          keepHeld();
          const release = metrics.watch(instanceId, {
            onSample: (sample) => {
              lastError = '';
              keepHeld();
              ctx.emit('sample', sample);
            },
            onError: (err) => {
              forgetIfStale(instanceId, err);
              if (isStale(err)) hold.release();
              keepHeld();
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
            hold.release();
          }
          return null;
        },
      });
      return { opId };
    },
  };
}
