import type { z } from 'zod';
import { tunnelCalls, tunnelEvents } from '../../shared/contract/tunnels';
import { TunnelsService, type TunnelView } from '../services/tunnels';
import { resolveTargetRef, type SshHandlerDeps } from './ssh';

type Calls = typeof tunnelCalls;
type Events = typeof tunnelEvents;

export type TunnelHandlers = {
  [K in keyof Calls]: (args: z.output<Calls[K]['input']>) => Promise<z.output<Calls[K]['output']>>;
};

export type TunnelEventEmitter = <K extends keyof Events>(
  name: K,
  payload: z.output<Events[K]['payload']>,
) => void;

export interface TunnelHandlerDeps {
  tunnels: TunnelsService;
}

/**
 * The tunnel calls. Given only the SSH service (tests, tools), tunnels live in memory and declared
 * ports are unknown; the app passes its TunnelsService, which keeps definitions across restarts.
 */
export function createTunnelHandlers(deps: TunnelHandlerDeps | SshHandlerDeps): TunnelHandlers {
  const tunnels =
    'tunnels' in deps
      ? deps.tunnels
      : new TunnelsService({
          ssh: deps.ssh,
          resolveTarget: (ref) => resolveTargetRef(ref, deps.resolveTarget),
        });
  return {
    'tunnels:list': async () => tunnels.list(),
    'tunnels:open': async ({ target, remotePort, remoteHost, localPort, wait }) =>
      tunnels.open(target, { remotePort, remoteHost, localPort }, { wait }),
    'tunnels:openDeclared': async ({ target }) => tunnels.openDeclared(target),
    'tunnels:openUrl': async ({ id }) => ({ url: await tunnels.openUrl(id) }),
    'tunnels:reopen': async ({ id }) => tunnels.reopen(id),
    'tunnels:close': async ({ id }) => {
      await tunnels.close(id);
      return { ok: true } as const;
    },
  };
}

/** Forwards tunnel state changes to the contract's events; returns a function that stops. */
export function forwardTunnelEvents(tunnels: TunnelsService, emit: TunnelEventEmitter): () => void {
  const onTunnel = (tunnel: TunnelView): void => emit('tunnel:stateChanged', tunnel);
  tunnels.on('state', onTunnel);
  return () => tunnels.off('state', onTunnel);
}
