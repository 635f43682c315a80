import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '../../../shared/errors';
import { widenReceiveWindow } from './receive-window';
import {
  DEFAULT_PTY_OPTIONS,
  PtySession,
  type OpenPtyChannel,
  type PtyExit,
  type PtyOptions,
  type PtyOutput,
  type PtyStats,
} from '../terminal';

export type ShellOptions = PtyOptions;
export type ShellOutput = PtyOutput;
export type ShellExit = PtyExit;
export type ShellStats = PtyStats;
export const DEFAULT_SHELL_OPTIONS: ShellOptions = DEFAULT_PTY_OPTIONS;

/** The parts of an ssh2 channel a shell session uses (a PassThrough stands in for it in unit tests). */
export type ShellStream = Pick<
  ClientChannel,
  'write' | 'pause' | 'resume' | 'on' | 'once' | 'end' | 'close'
> & {
  setWindow?: ClientChannel['setWindow'];
  stderr?: NodeJS.ReadableStream;
  destroy?: () => unknown;
};

/**
 * A PTY shell on an SSH connection. The stream handling (coalescing, flow control, scrollback,
 * replay) is PtySession's; this adds the SSH channel and reopening a shell after a reconnect.
 */
export class ShellSession extends PtySession {
  /** Set by the terminal manager: true while the connection under this shell is down. */
  transportDown: () => boolean = () => false;

  constructor(stream: ShellStream, options: Partial<ShellOptions> = {}, id?: string) {
    super(options, id);
    this.attach(sshPtyChannel(stream));
  }

  /** Opens a PTY shell on a connected client. */
  static async open(client: Client, options: Partial<ShellOptions> = {}, id?: string): Promise<ShellSession> {
    const merged = { ...DEFAULT_SHELL_OPTIONS, ...options };
    return new ShellSession(await openShellStream(client, merged), merged, id);
  }

  /**
   * Opens a fresh shell on a reconnected client with the terminal's current size, and streams it
   * into this same terminal. The old shell died with its connection (a Vast image's tmux keeps
   * the work: the new login attaches to it again).
   */
  async reopen(client: Client): Promise<void> {
    const stream = await openShellStream(client, { ...this.options, rows: this.rows, cols: this.cols });
    if (this.exited) {
      stream.close();
      return;
    }
    this.attach(sshPtyChannel(stream));
  }

  /** A channel that closed with no exit status while its connection is down lost its transport. */
  protected override endedByTransport(): boolean {
    return this.transportDown();
  }
}

function openShellStream(client: Client, options: ShellOptions): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.shell({ rows: options.rows, cols: options.cols, term: options.term }, (err, stream) => {
        if (err) return reject(new AppError('SSH_CONNECT', `The server refused a shell: ${err.message}`));
        resolve(stream);
      });
    } catch (err) {
      // ssh2 throws at once when the client is no longer connected.
      reject(new AppError('SSH_CONNECT', `No shell: ${(err as Error).message}`));
    }
  });
}

/** An ssh2 shell channel as a PTY channel: stdout and stderr both go to the terminal. */
function sshPtyChannel(stream: ShellStream): OpenPtyChannel {
  return (sink) => {
    let exitCode: number | null = null;
    let signal: string | null = null;
    stream.on('data', (chunk: Buffer) => sink.data(chunk));
    stream.stderr?.on('data', (chunk: Buffer) => sink.data(chunk));
    // A flood of output is a bulk transfer: keep sshd sending while main forwards it.
    widenReceiveWindow(stream);
    stream.on('exit', (code: number | null, sig?: string) => {
      exitCode = typeof code === 'number' ? code : null;
      signal = sig ?? null;
    });
    stream.on('close', () => sink.end({ exitCode, signal }));
    stream.on('error', () => undefined);
    return {
      write: (data) => {
        stream.write(data);
      },
      pause: () => {
        stream.pause();
      },
      resume: () => {
        stream.resume();
      },
      // ssh2 takes (rows, cols, height px, width px); the pixel size is optional and unused by sshd.
      resize: (rows, cols) => {
        stream.setWindow?.(rows, cols, 0, 0);
      },
      close: () => {
        stream.close();
      },
      // The connection is gone; the channel has nothing left to say.
      abandon: () => undefined,
    };
  };
}
