// tstudio tunnel TARGET PORT[:LOCALPORT]... [--accept-host-key SHA256:…]
//   TARGET: a local run's id, a Vast instance's id, or user@host[:port].
//   PORT is the remote port; LOCALPORT the port on 127.0.0.1 (default 0: a free port, kept across reconnects).
//   Prints `127.0.0.1:<localPort> -> <remotePort>` per tunnel as it comes up and keeps the tunnels
//   (reconnecting as needed) until Ctrl-C.
import { homedir } from 'node:os';
import { AppError } from '../../../shared/errors';
import { defaultDataDir } from '../../app';
import type { SshTargetResolver } from '../../handlers/ssh';
import { SshService, type ManagedTunnel } from '../../services/ssh';
import type { CliIo } from '../io';
import { prepareTarget } from './ssh';

export interface TunnelCommandOptions {
  target: string;
  /** `PORT` or `PORT:LOCALPORT`. */
  ports: string[];
  acceptHostKey?: string;
}

export interface TunnelCliDeps {
  ssh?: SshService;
  resolveTarget?: SshTargetResolver;
}

export function parsePortSpec(spec: string): { remotePort: number; localPort: number } {
  const match = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(spec.trim());
  const remotePort = Number(match?.[1]);
  const localPort = match?.[2] === undefined ? 0 : Number(match[2]);
  if (!match || remotePort < 1 || remotePort > 65535 || localPort > 65535) {
    throw new AppError(
      'VALIDATION',
      `"${spec}" is not PORT or PORT:LOCALPORT (remote port 1-65535, local port 0-65535; 0 picks a free one).`,
    );
  }
  return { remotePort, localPort };
}

export async function runTunnel(
  argv: TunnelCommandOptions,
  io: CliIo,
  deps: TunnelCliDeps = {},
): Promise<number> {
  if (argv.ports.length === 0)
    throw new AppError('VALIDATION', 'Name at least one port: tstudio tunnel TARGET PORT[:LOCALPORT]...');
  const specs = argv.ports.map(parsePortSpec);
  const ssh = deps.ssh ?? new SshService({ dataDir: defaultDataDir(process.env, homedir()) });
  const ids: string[] = [];
  try {
    const target = await prepareTarget(ssh, argv.target, argv.acceptHostKey, deps.resolveTarget);
    const sigint = io.signal ? null : sigintSignal();
    const stopSignal = io.signal ?? (sigint as { signal: AbortSignal }).signal;
    const outcome = await new Promise<number>((resolve) => {
      const announced = new Set<string>();
      const lastState = new Map<string, string>();
      const onState = (t: ManagedTunnel): void => {
        if (!ids.includes(t.id) || lastState.get(t.id) === t.state) return;
        lastState.set(t.id, t.state);
        if (t.state === 'up' && !announced.has(t.id)) {
          announced.add(t.id);
          io.stdout(`127.0.0.1:${t.localPort} -> ${t.remotePort}\n`);
        } else if (t.state === 'up') {
          io.stderr(`tunnel 127.0.0.1:${t.localPort} -> ${t.remotePort} is back up\n`);
        } else if (t.state === 'retrying' && announced.has(t.id)) {
          io.stderr(`tunnel 127.0.0.1:${t.localPort} -> ${t.remotePort}: connection lost, reconnecting…\n`);
        } else if (t.state === 'failed') {
          io.stderr(`tstudio tunnel: port ${t.remotePort}: ${t.error?.message ?? 'failed'}\n`);
          finish(1);
        }
      };
      const onStop = (): void => finish(0);
      const finish = (code: number): void => {
        sigint?.dispose();
        ssh.tunnels.off('state', onState);
        stopSignal.removeEventListener('abort', onStop);
        resolve(code);
      };
      ssh.tunnels.on('state', onState);
      stopSignal.addEventListener('abort', onStop, { once: true });
      if (stopSignal.aborted) return finish(0);
      for (const spec of specs) {
        try {
          const tunnel = ssh.tunnels.open(target, spec);
          ids.push(tunnel.id);
          onState({ ...tunnel.snapshot(), target });
        } catch (err) {
          io.stderr(`tstudio tunnel: ${AppError.from(err).message}\n`);
          return finish(1);
        }
      }
    });
    return outcome;
  } catch (err) {
    io.stderr(`tstudio tunnel: ${AppError.from(err).message}\n`);
    return 1;
  } finally {
    await Promise.all(ids.map((id) => ssh.tunnels.close(id).catch(() => undefined)));
    if (!deps.ssh) await ssh.dispose();
  }
}

/** Without a signal from the caller, Ctrl-C ends the command. */
function sigintSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
