import type { z } from 'zod';
import { terminalCalls, terminalEvents } from '../../shared/contract/terminals';
import { type ShellExit, type ShellOutput, type SshService, type SshTarget } from '../services/ssh';
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

export function createTerminalHandlers(deps: SshHandlerDeps): TerminalHandlers {
  const { ssh } = deps;
  const resolve = (ref: SshTarget | string): Promise<SshTarget> => resolveTargetRef(ref, deps.resolveTarget);
  const done = { ok: true } as const;

  return {
    'terminal:open': async ({ target, rows, cols, term }) =>
      ssh.terminals.open(await resolve(target), { rows, cols, term }),
    'terminal:write': async ({ id, data }) => {
      ssh.terminals.get(id).write(data);
      return done;
    },
    'terminal:resize': async ({ id, rows, cols }) => {
      ssh.terminals.get(id).resize(rows, cols);
      return done;
    },
    'terminal:ack': async ({ id, bytes }) => {
      ssh.terminals.get(id).ack(bytes);
      return done;
    },
    'terminal:replay': async ({ id }) => ssh.terminals.get(id).replay(),
    'terminal:detach': async ({ id }) => {
      ssh.terminals.get(id).detach();
      return done;
    },
    'terminal:close': async ({ id }) => {
      ssh.terminals.close(id);
      return done;
    },
    'terminals:list': async () => ssh.terminals.list(),
  };
}

/** Forwards terminal output and exits to the contract's events; returns a function that stops. */
export function forwardTerminalEvents(ssh: SshService, emit: TerminalEventEmitter): () => void {
  const onOutput = (id: string, output: ShellOutput): void => emit('terminal:output', { id, ...output });
  const onExit = (id: string, exit: ShellExit): void => emit('terminal:exited', { id, ...exit });
  ssh.terminals.on('output', onOutput);
  ssh.terminals.on('exit', onExit);
  return () => {
    ssh.terminals.off('output', onOutput);
    ssh.terminals.off('exit', onExit);
  };
}
