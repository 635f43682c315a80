import type { z } from 'zod';
import { sshCalls, sshEvents } from '../../shared/contract/ssh';
import { AppError } from '../../shared/errors';
import {
  parseTargetAddress,
  type ManagedTunnel,
  type ShellExit,
  type ShellOutput,
  type SshService,
  type SshTarget,
} from '../services/ssh';

type SshCalls = typeof sshCalls;
type SshEvents = typeof sshEvents;

/** The handlers of the SSH, terminal and tunnel calls (same shape as DomainHandlers once wired). */
export type SshHandlers = {
  [K in keyof SshCalls]: (args: z.output<SshCalls[K]['input']>) => Promise<z.output<SshCalls[K]['output']>>;
};

export type SshEventName = keyof SshEvents;
export type SshEventEmitter = <K extends SshEventName>(
  name: K,
  payload: z.output<SshEvents[K]['payload']>,
) => void;

/** A string target: a local run's id or a Vast instance's id (the app resolves it), or user@host:port. */
export type SshTargetResolver = (ref: string, signal?: AbortSignal) => Promise<SshTarget>;

export interface SshHandlerDeps {
  ssh: SshService;
  /** Resolves run and instance ids; `user@host:port` works without it. */
  resolveTarget?: SshTargetResolver;
}

export async function resolveTargetRef(
  ref: SshTarget | string,
  resolveTarget?: SshTargetResolver,
): Promise<SshTarget> {
  if (typeof ref !== 'string') return ref;
  const address = parseTargetAddress(ref);
  if (address) return address;
  if (!resolveTarget) {
    throw new AppError(
      'NOT_FOUND',
      `"${ref}" is neither user@host:port nor a run or instance this app knows.`,
    );
  }
  return resolveTarget(ref);
}

export function createSshHandlers(deps: SshHandlerDeps): SshHandlers {
  const { ssh } = deps;
  const resolve = (ref: SshTarget | string): Promise<SshTarget> => resolveTargetRef(ref, deps.resolveTarget);
  const done = { ok: true } as const;

  return {
    'ssh:connect': async ({ target }) => {
      const resolved = await resolve(target);
      await ssh.connect(resolved);
      const info = ssh.connections().find((c) => sameTarget(c.target, resolved));
      if (!info)
        throw new AppError('SSH_CONNECT', 'The connection closed right after it was made. Try again.');
      return info;
    },
    'ssh:disconnect': async ({ target }) => {
      ssh.disconnect(await resolve(target));
      return done;
    },
    'ssh:connections': async () => ssh.connections(),
    'ssh:publicKey': async () => {
      const key = await ssh.keys.get();
      return { publicKey: key.publicKey, privateKeyPath: key.privateKeyPath };
    },
    'ssh:command': async ({ target, forwards, shell }) => ({
      command: await ssh.sshCommand(await resolve(target), forwards, { shell }),
    }),
    'ssh:hostKeys': async () => ssh.listKnownHosts(),
    'ssh:acceptHostKey': async ({ host, port, fingerprint }) => ssh.acceptHostKey(host, port, fingerprint),
    'ssh:forgetHostKey': async ({ host, port }) => {
      await ssh.knownHosts.forget(host, port);
      return done;
    },

    // Vast's images attach every login to tmux unless ~/.no_auto_tmux exists. The path goes through
    // $HOME, not the working directory: Vast-style images `cd $WORKSPACE` in .bashrc, which bash
    // also reads for commands run by sshd. The shell lines are constants; no data is spliced in.
    'ssh:autoTmux': async ({ target }) => {
      const result = await ssh.exec(await resolve(target), ['sh', '-c', 'test -e "$HOME/.no_auto_tmux"']);
      return { enabled: result.exitCode !== 0 };
    },
    'ssh:setAutoTmux': async ({ target, enabled }) => {
      const resolved = await resolve(target);
      const result = await ssh.exec(resolved, [
        'sh',
        '-c',
        enabled ? 'rm -f "$HOME/.no_auto_tmux"' : 'touch "$HOME/.no_auto_tmux"',
      ]);
      if (result.exitCode !== 0) {
        throw new AppError(
          'SSH_CONNECT',
          `Could not ${enabled ? 'remove' : 'create'} ~/.no_auto_tmux: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
        );
      }
      return { enabled };
    },

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

/**
 * Forwards the SSH service's events to the contract's events (the app's EventBus.emit). Returns a
 * function that stops forwarding.
 */
export function forwardSshEvents(ssh: SshService, emit: SshEventEmitter): () => void {
  const onConnection = (info: z.output<SshEvents['ssh:stateChanged']['payload']>): void =>
    emit('ssh:stateChanged', info);
  const onOutput = (id: string, output: ShellOutput): void => emit('terminal:output', { id, ...output });
  const onExit = (id: string, exit: ShellExit): void => emit('terminal:exited', { id, ...exit });
  const onTunnel = (tunnel: ManagedTunnel): void => emit('tunnel:stateChanged', tunnel);
  ssh.pool.on('state', onConnection);
  ssh.terminals.on('output', onOutput);
  ssh.terminals.on('exit', onExit);
  ssh.tunnels.on('state', onTunnel);
  return () => {
    ssh.pool.off('state', onConnection);
    ssh.terminals.off('output', onOutput);
    ssh.terminals.off('exit', onExit);
    ssh.tunnels.off('state', onTunnel);
  };
}

function sameTarget(a: SshTarget, b: SshTarget): boolean {
  return a.host === b.host && a.port === b.port && a.user === b.user;
}
