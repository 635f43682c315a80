import { z } from 'zod';
import { call, event, Done, NoInput } from './kit';
import { SshTarget, SshTargetRef } from './ssh';

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

export const terminalCalls = {
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
} as const;

export const terminalEvents = {
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
} as const;
