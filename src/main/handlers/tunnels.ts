import type { z } from 'zod';
import { tunnelCalls, tunnelEvents } from '../../shared/contract/tunnels';
import { type ManagedTunnel, type SshService, type SshTarget } from '../services/ssh';
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

export function createTunnelHandlers(deps: SshHandlerDeps): TunnelHandlers {
  const { ssh } = deps;
  const resolve = (ref: SshTarget | string): Promise<SshTarget> => resolveTargetRef(ref, deps.resolveTarget);
  const done = { ok: true } as const;

  return {
    'tunnels:list': async () => ssh.tunnels.list(),
    'tunnels:open': async ({ target, remotePort, remoteHost, localPort, wait }) => {
      const resolved = await resolve(target);
      const tunnel = ssh.tunnels.open(resolved, { remotePort, remoteHost, localPort });
      if (wait) await tunnel.whenUp();
      return { ...tunnel.snapshot(), target: resolved };
    },
    'tunnels:close': async ({ id }) => {
      await ssh.tunnels.close(id);
      return done;
    },
  };
}

/** Forwards tunnel state changes to the contract's events; returns a function that stops. */
export function forwardTunnelEvents(ssh: SshService, emit: TunnelEventEmitter): () => void {
  const onTunnel = (tunnel: ManagedTunnel): void => emit('tunnel:stateChanged', tunnel);
  ssh.tunnels.on('state', onTunnel);
  return () => ssh.tunnels.off('state', onTunnel);
}
