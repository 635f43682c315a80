import { z } from 'zod';
import { call, event, Done, NoInput } from './kit';
import { ErrorSummary, Port, SshTarget, SshTargetRef } from './ssh';

export const TunnelState = z.enum(['idle', 'connecting', 'up', 'retrying', 'failed']);

/** The PORTAL_CONFIG app a tunnel reaches. */
export const TunnelApp = z.object({
  name: z.string(),
  /** Where the Open button goes on the tunnel's local port. */
  openPath: z.string(),
});

export const TunnelInfo = z.object({
  id: z.string(),
  /** The address it goes through (as last resolved). */
  target: SshTarget,
  /** The target as the user named it: a run id, an instance id or user@host:port. */
  targetRef: z.string(),
  /** The PORTAL_CONFIG app on the remote port, when there is one. */
  app: TunnelApp.nullable(),
  state: TunnelState,
  remoteHost: z.string(),
  remotePort: z.number().int(),
  /** The local port asked for (0 = any free port). */
  requestedLocalPort: z.number().int(),
  /** The bound port on 127.0.0.1, kept across reconnects; null before the first bind. */
  localPort: z.number().int().nullable(),
  /** Connections open right now. */
  activeConnections: z.number().int().nonnegative(),
  /** Connections accepted since the tunnel was opened. */
  totalConnections: z.number().int().nonnegative(),
  /** Bytes from local clients to the remote port. */
  bytesOut: z.number().nonnegative(),
  /** Bytes from the remote port to local clients. */
  bytesIn: z.number().nonnegative(),
  error: ErrorSummary.nullable(),
});

export const tunnelCalls = {
  'tunnels:list': call(NoInput, z.array(TunnelInfo), 'Every tunnel with its state and counters.'),
  'tunnels:open': call(
    z
      .object({
        target: SshTargetRef,
        remotePort: Port,
        /** As seen from the SSH server. */
        remoteHost: z.string().min(1).max(255).default('127.0.0.1'),
        /** 0 picks a free port, then kept for every reconnect. */
        localPort: z.number().int().min(0).max(65535).default(0),
        /** Wait until the tunnel is up (or failed) before answering. */
        wait: z.boolean().default(true),
      })
      .strict(),
    TunnelInfo,
    'Forward 127.0.0.1:localPort to remoteHost:remotePort through the target, and remember it across restarts (same local port). State changes arrive as tunnel:stateChanged.',
  ),
  'tunnels:openDeclared': call(
    z.object({ target: z.string().min(1).max(300) }).strict(),
    z.object({
      /** One per declared port, new and already open, each up or failed. */
      tunnels: z.array(TunnelInfo),
      /** Why PORTAL_CONFIG was ignored, when it could not be read. */
      warning: z.string().nullable(),
    }),
    'Open a tunnel to every port a run or instance declares (PORTAL_CONFIG apps on their internal ports, then its other ports), skipping ports already tunnelled.',
  ),
  'tunnels:openUrl': call(
    z.object({ id: z.string().min(1).max(100) }).strict(),
    z.object({ url: z.string() }),
    "The browser URL of an up tunnel: its app's path on 127.0.0.1:<localPort>, with ?token= when the target sets OPEN_BUTTON_TOKEN (read in main, only ever sent inside this URL).",
  ),
  'tunnels:reopen': call(
    z.object({ id: z.string().min(1).max(100) }).strict(),
    TunnelInfo,
    'Try a saved tunnel again from scratch (resolve its target, bind the same local port), e.g. after a failed restore. Answers at once; tunnel:stateChanged follows.',
  ),
  'tunnels:close': call(
    z.object({ id: z.string().min(1).max(100) }).strict(),
    Done,
    'Close a tunnel and its local listener, and forget it (it no longer comes back after a restart).',
  ),
} as const;

export const tunnelEvents = {
  'tunnel:stateChanged': event(
    TunnelInfo,
    'A tunnel changed state or its counters moved (at most about 4 times a second).',
  ),
} as const;
