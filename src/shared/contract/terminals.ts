import { z } from 'zod';
import { call, event, Done, NoInput } from './kit';
import { SshTarget, SshTargetRef } from './ssh';

export const TerminalExit = z.object({
  /** Null when the program died of a signal or the connection was lost. */
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(['exited', 'closed', 'connection-lost']),
});

/**
 * open: a program is attached; reconnecting: its SSH connection dropped and the app is getting it
 * back (id and scrollback kept, input refused); exited: over, the scrollback can still be replayed.
 */
export const TerminalState = z.enum(['open', 'reconnecting', 'exited']);

const TerminalInfoBase = z.object({
  /** The terminal's id: every other terminal call and event names it. */
  id: z.string(),
  rows: z.number().int(),
  cols: z.number().int(),
  openedAt: z.number(),
  state: TerminalState,
  /** Set once the shell has ended; the scrollback can still be replayed. */
  exited: TerminalExit.nullable(),
});

/** The local run a docker exec terminal runs in. */
export const TerminalRun = z.object({
  /** The run's short id. */
  id: z.string(),
  containerId: z.string(),
  name: z.string(),
});

/** A terminal: a PTY shell over SSH, or (local runs only) through docker exec, which needs no sshd. */
export const TerminalInfo = z.discriminatedUnion('via', [
  TerminalInfoBase.extend({ via: z.literal('ssh'), target: SshTarget }),
  TerminalInfoBase.extend({ via: z.literal('docker-exec'), run: TerminalRun }),
]);

export const TerminalId = z.object({ id: z.string().min(1).max(100) }).strict();

const Rows = z.number().int().min(1).max(1000);
const Cols = z.number().int().min(1).max(2000);
const PtySize = {
  rows: Rows.default(24),
  cols: Cols.default(80),
  term: z.string().min(1).max(64).default('xterm-256color'),
};
const RunRef = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.-]+$/, 'a run id');

export const terminalCalls = {
  'terminal:open': call(
    z.union([
      z
        .object({
          /** SSH is the default way in. */
          via: z.literal('ssh').default('ssh'),
          target: SshTargetRef,
          ...PtySize,
        })
        .strict(),
      z
        .object({
          /** A shell through `docker exec -it` in a local run: no sshd needed (args mode has none). */
          via: z.literal('docker-exec'),
          /** The local run's id (or its container's id). */
          run: RunRef,
          ...PtySize,
        })
        .strict(),
    ]),
    TerminalInfo,
    'Open a PTY shell, over SSH (a target) or through docker exec (a local run). Output arrives as terminal:output events; acknowledge it with terminal:ack.',
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
      state: TerminalState,
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
} as const;

export const terminalEvents = {
  'terminal:output': event(
    z.object({
      id: z.string(),
      /** Coalesced output (about 16 ms or 256 KiB). */
      data: z.string(),
      /** UTF-8 bytes of data: acknowledge them with terminal:ack once rendered. */
      bytes: z.number().int().nonnegative(),
      /** Stream offset at the end of this batch. */
      offset: z.number().nonnegative(),
    }),
    'A batch of terminal output.',
  ),
  'terminal:stateChanged': event(
    z.object({ id: z.string(), state: TerminalState }),
    'A terminal went reconnecting (its connection dropped), open again (a fresh shell streams into it) or exited.',
  ),
  'terminal:exited': event(
    z.object({ id: z.string() }).extend(TerminalExit.shape),
    'A terminal ended: its program exited, it was closed, or its connection was lost for good (the reconnect failed).',
  ),
} as const;
