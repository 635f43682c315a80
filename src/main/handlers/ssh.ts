import type { z } from 'zod';
import { sshCalls, sshEvents } from '../../shared/contract/ssh';
import { AppError } from '../../shared/errors';
import { parseTargetAddress, type SshService, type SshTarget } from '../services/ssh';

type SshCalls = typeof sshCalls;
type SshEvents = typeof sshEvents;

/** The handlers of the SSH connection and host-key calls (same shape as DomainHandlers once wired). */
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
  };
}

/**
 * Forwards the SSH service's events to the contract's events (the app's EventBus.emit). Returns a
 * function that stops forwarding.
 */
export function forwardSshEvents(ssh: SshService, emit: SshEventEmitter): () => void {
  const onConnection = (info: z.output<SshEvents['ssh:stateChanged']['payload']>): void =>
    emit('ssh:stateChanged', info);
  ssh.pool.on('state', onConnection);
  return () => {
    ssh.pool.off('state', onConnection);
  };
}

function sameTarget(a: SshTarget, b: SshTarget): boolean {
  return a.host === b.host && a.port === b.port && a.user === b.user;
}
