import { pause } from '../../shared/pause';
import type { z } from 'zod';
import type Docker from 'dockerode';
import type { runsCalls, runsEvents } from '../../shared/contract/runs';
import { runSmoke, type LocalRunService, type RunInfo } from '../services/launch';
import type { OperationManager } from '../services/operations';
import type { SupervisorSnapshot } from '../services/supervisor';

type RunsCalls = typeof runsCalls;
/** One handler per runs call, typed from the runs contract alone (so it compiles before it is wired). */
export type RunsHandlers = {
  [K in keyof RunsCalls]: (
    args: z.output<RunsCalls[K]['input']>,
  ) => Promise<z.output<RunsCalls[K]['output']>>;
};

export type RunStateChanged = z.output<(typeof runsEvents)['run:stateChanged']['payload']>;

export interface RunsHandlerDeps {
  runs: LocalRunService;
  docker: Docker;
  operations: OperationManager;
  /** Forwards `run:stateChanged` to the event bus. */
  emitRunChanged?: (payload: RunStateChanged) => void;
}

const ok = { ok: true as const };

export function createRunsHandlers(deps: RunsHandlerDeps): RunsHandlers {
  const { runs, operations } = deps;
  const changed = async (id: string) => {
    if (!deps.emitRunChanged) return;
    const run = await runs.get(id).catch(() => null);
    deps.emitRunChanged({ id: run?.id ?? id.slice(0, 12), run });
  };
  const containerIdOf = async (id: string) => (await runs.get(id)).containerId;

  return {
    'runs:list': () => runs.list(),
    'runs:get': ({ id }) => runs.get(id),
    'runs:start': async (input) => {
      const { id } = operations.start({
        kind: 'run',
        title: `Run ${input.source} (${input.mode} mode)`,
        work: async (ctx) => {
          const ready = await runs.start(
            {
              source: input.source,
              mode: input.mode,
              template: input.template,
              args: input.args,
              env: input.env,
              ports: input.ports,
              workspace: input.workspace,
              hostPorts: input.hostPorts,
              limits: input.limits,
              build: input.build,
              readyTimeoutMs: input.readyTimeoutSeconds * 1000,
            },
            ctx,
          );
          await changed(ready.run.containerId);
          return ready;
        },
      });
      return { opId: id };
    },
    'runs:stop': async ({ id }) => {
      await runs.stop(id);
      await changed(id);
      return ok;
    },
    'runs:resume': async ({ id }) => {
      await runs.resume(id);
      await changed(id);
      return ok;
    },
    'runs:restart': async ({ id, wait }) => {
      await runs.restart(id, { wait });
      await changed(id);
      return ok;
    },
    'runs:remove': async ({ id }) => {
      const run: RunInfo = await runs.get(id);
      await runs.remove(run.containerId);
      deps.emitRunChanged?.({ id: run.id, run: null });
      return ok;
    },
    'runs:logs': async ({ id, tail }) => ({ text: await runs.logs(id, tail) }),
    'runs:hostKeys': async ({ id }) => ({ keys: await runs.hostKeys(id) }),
    'runs:cleanupOrphans': async () => {
      const removed = await runs.cleanupOrphans();
      for (const id of removed) deps.emitRunChanged?.({ id, run: null });
      return { removed };
    },
    'runs:status': async ({ id }) => runs.supervisor(await containerIdOf(id)).snapshot(),
    'runs:watchStatus': async ({ id, intervalMs }) => {
      const containerId = await containerIdOf(id);
      const { id: opId } = operations.start({
        kind: 'run-status',
        title: `Status of run ${containerId.slice(0, 12)}`,
        work: async (ctx) => {
          const supervisor = runs.supervisor(containerId);
          let last = '';
          while (!ctx.signal.aborted) {
            const snapshot: SupervisorSnapshot = await supervisor
              .snapshot(ctx.signal)
              .catch((err: unknown) => {
                if (ctx.signal.aborted) return null as unknown as SupervisorSnapshot;
                throw err;
              });
            if (!snapshot) break;
            // Uptimes tick every second; only a change of what a user would notice is an event.
            const key = JSON.stringify([
              snapshot.supervisord,
              snapshot.provisioning,
              snapshot.programs.map((p) => [p.namespec, p.state, p.skipped, p.pid, p.error]),
            ]);
            if (key !== last) {
              last = key;
              ctx.emit('status', snapshot);
            }
            await pause(intervalMs, ctx.signal);
          }
          return null;
        },
      });
      return { opId };
    },
    'runs:programControl': async ({ id, program, action }) =>
      runs.supervisor(await containerIdOf(id)).control(program, action),
    'runs:programLog': async ({ id, program, lines }) => ({
      text: await runs.supervisor(await containerIdOf(id)).tailLog(program, lines),
    }),
    'runs:programLogFollow': async ({ id, program, lines }) => {
      const containerId = await containerIdOf(id);
      const { id: opId } = operations.start({
        kind: 'program-log',
        title: `${program} log of run ${containerId.slice(0, 12)}`,
        work: async (ctx) => {
          await runs
            .supervisor(containerId)
            .followLog(program, { lines, signal: ctx.signal, onText: (text) => ctx.log(text) });
          return null;
        },
      });
      return { opId };
    },
    'runs:provisioningLog': async ({ id, lines }) => ({
      text: await runs.supervisor(await containerIdOf(id)).provisioningLog(lines),
    }),
    'runs:portalApps': async ({ id }) => runs.supervisor(await containerIdOf(id)).portalApps(),
    'runs:smoke': async (input) => {
      const { id: opId } = operations.start({
        kind: 'smoke',
        title: `Smoke ${input.path}`,
        work: (ctx) =>
          runSmoke(
            runs,
            deps.docker,
            {
              source: input.path,
              mode: input.mode,
              template: input.template,
              timeoutMs: input.timeoutSeconds * 1000,
              strict: input.strict,
              portGraceSeconds: input.portGraceSeconds,
            },
            ctx,
          ),
      });
      return { opId };
    },
  };
}
