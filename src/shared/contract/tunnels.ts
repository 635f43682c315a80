import { z } from 'zod';
import { call, event, Done, NoInput } from './kit';
import { ErrorSummary, Port, SshTarget, SshTargetRef } from './ssh';

export const TunnelState = z.enum(['idle', 'connecting', 'up', 'retrying', 'failed']);

export const TunnelInfo = z.object({
  id: z.string(),
  target: SshTarget,
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
    'Forward 127.0.0.1:localPort to remoteHost:remotePort through the target. State changes arrive as tunnel:stateChanged.',
  ),
  'tunnels:close': call(
    z.object({ id: z.string().min(1).max(100) }).strict(),
    Done,
    'Close a tunnel and its local listener.',
  ),
} as const;

export const tunnelEvents = {
  'tunnel:stateChanged': event(
    TunnelInfo,
    'A tunnel changed state or its counters moved (at most about 4 times a second).',
  ),
} as const;
