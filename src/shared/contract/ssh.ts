import { z } from 'zod';
import { call, event, Done, NoInput } from './kit';

/** Where an SSH connection goes. */
export const SshTarget = z
  .object({
    /** Never starting with '-', which ssh would read as an option. */
    host: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^-\s]\S*$/, 'a host name or address (not starting with "-")'),
    port: z.number().int().min(1).max(65535).default(22),
    /** Vast logs in as root. */
    user: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'a user name (letters, digits, . _ -; not starting with "-")')
      .default('root'),
  })
  .strict();

/**
 * A target as a caller names it: an address, or a string main resolves — a local run's id, a Vast
 * instance's id, or `user@host:port`.
 */
export const SshTargetRef = z.union([SshTarget, z.string().min(1).max(300)]);

export const SshConnectionState = z.enum(['idle', 'connecting', 'up', 'retrying', 'failed']);

const ErrorSummary = z.object({ code: z.string(), message: z.string() });

/** One shared SSH connection (one per host, port and user). */
export const SshConnectionInfo = z.object({
  target: SshTarget,
  state: SshConnectionState,
  /** How the last login succeeded: the user's ssh-agent or the app's own key. */
  authMethod: z.enum(['agent', 'publickey']).nullable(),
  /** Reconnect attempts since it was last up. */
  attempt: z.number().int().nonnegative(),
  /** When the next reconnect attempt starts (ms since epoch), while retrying. */
  nextAttemptAt: z.number().nullable(),
  upSince: z.number().nullable(),
  error: ErrorSummary.nullable(),
  /** Terminals, tunnels and views sharing it. */
  users: z.number().int().nonnegative(),
});

export const KnownHost = z.object({
  host: z.string(),
  port: z.number().int(),
  /** `ssh-ed25519`…, or `unknown` for a key accepted by fingerprint before it was seen. */
  keyType: z.string(),
  /** `SHA256:…`, as OpenSSH prints it. */
  fingerprint: z.string(),
  addedAt: z.number(),
});

export const TerminalExit = z.object({
  /** Null when the program died of a signal or the connection was lost. */
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(['exited', 'closed', 'connection-lost']),
});

export const TerminalInfo = z.object({
  /** The terminal's id: every other terminal call and event names it. */
  id: z.string(),
  target: SshTarget,
  rows: z.number().int(),
  cols: z.number().int(),
  openedAt: z.number(),
  /** Set once the shell has ended; the scrollback can still be replayed. */
  exited: TerminalExit.nullable(),
});

export const TerminalId = z.object({ id: z.string().min(1).max(100) }).strict();

const Rows = z.number().int().min(1).max(1000);
const Cols = z.number().int().min(1).max(2000);

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

const Port = z.number().int().min(1).max(65535);

export const sshCalls = {
  'ssh:connect': call(
    z.object({ target: SshTargetRef }).strict(),
    SshConnectionInfo,
    'Connect (or join the shared connection) and keep it until ssh:disconnect. Fails with SSH_HOST_KEY_MISMATCH, SSH_HOST_KEY_UNKNOWN, SSH_AUTH or SSH_CONNECT.',
  ),
  'ssh:disconnect': call(
    z.object({ target: SshTargetRef }).strict(),
    Done,
    'Let go of the connection ssh:connect kept; it closes once nothing else uses it.',
  ),
  'ssh:connections': call(
    NoInput,
    z.array(SshConnectionInfo),
    'Every SSH connection main holds, with its state.',
  ),
  'ssh:publicKey': call(
    NoInput,
    z.object({
      /** The line for authorized_keys or Vast account keys. */
      publicKey: z.string(),
      /** The private key file, for `ssh -i`. */
      privateKeyPath: z.string(),
    }),
    "The app's own SSH public key (made on first use).",
  ),
  'ssh:command': call(
    z
      .object({
        target: SshTargetRef,
        forwards: z
          .array(
            z
              .object({ localPort: Port, remotePort: Port, remoteHost: z.string().max(255).optional() })
              .strict(),
          )
          .max(64)
          .default([]),
        /** Keep a login shell open as well as the forwards (otherwise forwards get -N). */
        shell: z.boolean().default(false),
      })
      .strict(),
    z.object({ command: z.string() }),
    'The OpenSSH command line that does the same (-i app key, -p, -L forwards), quoted for a POSIX shell.',
  ),
  'ssh:hostKeys': call(NoInput, z.array(KnownHost), 'Host keys the app trusts, per host and port.'),
  'ssh:acceptHostKey': call(
    z
      .object({ host: z.string().min(1).max(255), port: Port, fingerprint: z.string().min(1).max(100) })
      .strict(),
    KnownHost,
    'Trust this fingerprint for host:port deliberately, replacing what was remembered (after SSH_HOST_KEY_MISMATCH or SSH_HOST_KEY_UNKNOWN).',
  ),
  'ssh:forgetHostKey': call(
    z.object({ host: z.string().min(1).max(255), port: Port }).strict(),
    Done,
    'Forget the remembered key of host:port.',
  ),

  'ssh:autoTmux': call(
    z.object({ target: SshTargetRef }).strict(),
    z.object({ enabled: z.boolean() }),
    "Whether logins on the target attach to Vast's tmux session (off when ~/.no_auto_tmux exists).",
  ),
  'ssh:setAutoTmux': call(
    z.object({ target: SshTargetRef, enabled: z.boolean() }).strict(),
    z.object({ enabled: z.boolean() }),
    "Switch Vast's tmux auto-attach for new logins on the target (creates or removes ~/.no_auto_tmux).",
  ),

  'terminal:open': call(
    z
      .object({
        target: SshTargetRef,
        rows: Rows.default(24),
        cols: Cols.default(80),
        term: z.string().min(1).max(64).default('xterm-256color'),
      })
      .strict(),
    TerminalInfo,
    'Open a PTY shell. Output arrives as terminal:output events; acknowledge it with terminal:ack.',
  ),
  'terminal:write': call(
    z.object({ id: z.string().min(1).max(100), data: z.string().max(1024 * 1024) }).strict(),
    Done,
    'Send keystrokes or pasted text.',
  ),
  'terminal:resize': call(
    z.object({ id: z.string().min(1).max(100), rows: Rows, cols: Cols }).strict(),
    Done,
    'Tell the PTY its new size.',
  ),
  'terminal:ack': call(
    z.object({ id: z.string().min(1).max(100), bytes: z.number().int().nonnegative() }).strict(),
    Done,
    'The view has rendered this many bytes of output (the `bytes` of terminal:output events); main resumes a paused stream.',
  ),
  'terminal:replay': call(
    TerminalId,
    z.object({
      /** The kept scrollback (at most about 2 MB), oldest first. */
      data: z.string(),
      /** Stream offset at its end: later terminal:output events have a larger `offset`. */
      endOffset: z.number().nonnegative(),
      /** True when older output was dropped. */
      truncated: z.boolean(),
      exited: TerminalExit.nullable(),
    }),
    'A view (re)attaches: the scrollback kept in main, after which output events flow to it.',
  ),
  'terminal:detach': call(
    TerminalId,
    Done,
    'The view went away: main keeps the shell running and its scrollback, and sends no output until terminal:replay.',
  ),
  'terminal:close': call(TerminalId, Done, 'End the shell and forget the terminal.'),
  'terminals:list': call(NoInput, z.array(TerminalInfo), 'Open terminals (and recently ended ones).'),

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

export const sshEvents = {
  'ssh:stateChanged': event(
    SshConnectionInfo,
    'A shared SSH connection changed state (connecting, up, retrying with the next attempt time, failed).',
  ),
  'terminal:output': event(
    z.object({
      id: z.string(),
      /** Coalesced output (about 16 ms or 64 KB). */
      data: z.string(),
      /** UTF-8 bytes of data: acknowledge them with terminal:ack once rendered. */
      bytes: z.number().int().nonnegative(),
      /** Stream offset at the end of this batch. */
      offset: z.number().nonnegative(),
    }),
    'A batch of terminal output.',
  ),
  'terminal:exited': event(
    z.object({ id: z.string() }).extend(TerminalExit.shape),
    'A terminal ended: its program exited, it was closed, or its connection was lost.',
  ),
  'tunnel:stateChanged': event(
    TunnelInfo,
    'A tunnel changed state or its counters moved (at most about 4 times a second).',
  ),
} as const;
