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

export const ErrorSummary = z.object({ code: z.string(), message: z.string() });

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

export const Port = z.number().int().min(1).max(65535);

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
} as const;

export const sshEvents = {
  'ssh:stateChanged': event(
    SshConnectionInfo,
    'A shared SSH connection changed state (connecting, up, retrying with the next attempt time, failed).',
  ),
} as const;
