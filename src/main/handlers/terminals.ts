import type { z } from 'zod';
import { terminalCalls, terminalEvents } from '../../shared/contract/terminals';
import { AppError } from '../../shared/errors';
import { type SshService, type SshTarget } from '../services/ssh';
import type {
  DockerExecTerminals,
  ExecTerminalRun,
  PtyExit,
  PtyOutput,
  PtySession,
  PtyState,
} from '../services/terminal';
import { resolveTargetRef, type SshHandlerDeps } from './ssh';

type Calls = typeof terminalCalls;
type Events = typeof terminalEvents;

export type TerminalHandlers = {
  [K in keyof Calls]: (args: z.output<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
};

export type TerminalEventEmitter = <K extends keyof Events>(
  name: K,
  payload: z.output<Events[K]['payload']>,
) => void;

/** A local run as docker exec needs it; `running` false refuses the terminal with a clear reason. */
export type ExecRunResolver = (ref: string) => Promise<ExecTerminalRun & { running: boolean }>;

export interface TerminalHandlerDeps extends SshHandlerDeps {
  /** docker exec terminals in local runs; without it `via: 'docker-exec'` is refused. */
  dockerExec?: { terminals: DockerExecTerminals; resolveRun: ExecRunResolver };
}

export function createTerminalHandlers(deps: TerminalHandlerDeps): TerminalHandlers {
  const { ssh } = deps;
  const resolve = (ref: SshTarget | string): Promise<SshTarget> => resolveTargetRef(ref, deps.resolveTarget);
  const done = { ok: true } as const;
  /** Terminal ids are UUIDs, unique across both kinds. */
  const find = (id: string): PtySession =>
    deps.dockerExec?.terminals.has(id) ? deps.dockerExec.terminals.get(id) : ssh.terminals.get(id);

  return {
    'terminal:open': async (args) => {
      const size = { rows: args.rows, cols: args.cols, term: args.term };
      if (args.via === 'ssh') return ssh.terminals.open(await resolve(args.target), size);
      if (!deps.dockerExec)
        throw new AppError('CONFLICT', 'docker exec terminals are not available in this shell; use SSH.');
      const run = await deps.dockerExec.resolveRun(args.run);
      if (!run.running)
        throw new AppError('CONFLICT', `Run ${run.id} is not running; start it, then open the terminal.`);
      return deps.dockerExec.terminals.open(
        { id: run.id, containerId: run.containerId, name: run.name },
        size,
      );
    },
    'terminal:write': async ({ id, data }) => {
      find(id).write(data);
      return done;
    },
    'terminal:resize': async ({ id, rows, cols }) => {
      find(id).resize(rows, cols);
      return done;
    },
    'terminal:ack': async ({ id, bytes }) => {
      find(id).ack(bytes);
      return done;
    },
    'terminal:replay': async ({ id }) => find(id).replay(),
    'terminal:detach': async ({ id }) => {
      find(id).detach();
      return done;
    },
    'terminal:close': async ({ id }) => {
      if (deps.dockerExec?.terminals.has(id)) deps.dockerExec.terminals.close(id);
      else ssh.terminals.close(id);
      return done;
    },
    'terminals:list': async () =>
      [...ssh.terminals.list(), ...(deps.dockerExec?.terminals.list() ?? [])].sort(
        (a, b) => a.openedAt - b.openedAt,
      ),
  };
}

/**
 * Forwards terminal output, state changes and exits (SSH terminals, and docker exec ones when
 * given: both are TerminalSets) to the contract's events; returns a function that stops.
 */
export function forwardTerminalEvents(
  ssh: SshService,
  emit: TerminalEventEmitter,
  dockerExec?: DockerExecTerminals,
): () => void {
  const onOutput = (id: string, output: PtyOutput): void => emit('terminal:output', { id, ...output });
  const onState = (id: string, state: PtyState): void => emit('terminal:stateChanged', { id, state });
  const onExit = (id: string, exit: PtyExit): void => emit('terminal:exited', { id, ...exit });
  const sources: NodeJS.EventEmitter[] = [ssh.terminals, ...(dockerExec ? [dockerExec] : [])];
  for (const source of sources) {
    source.on('output', onOutput);
    source.on('state', onState);
    source.on('exit', onExit);
  }
  return () => {
    for (const source of sources) {
      source.off('output', onOutput);
      source.off('state', onState);
      source.off('exit', onExit);
    }
  };
}
