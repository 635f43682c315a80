import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '../../../shared/errors';
import { ScrollbackRing } from './scrollback-ring';

export interface ShellOptions {
  rows: number;
  cols: number;
  /** TERM for the remote side. */
  term: string;
  /** Scrollback kept in main for replay (bytes). */
  scrollbackBytes: number;
  /** Output is coalesced for this long (ms)… */
  coalesceMs: number;
  /** …or until this many bytes are pending. */
  coalesceBytes: number;
  /** Bytes sent to the view and not yet acknowledged at which the SSH stream is paused. */
  highWaterBytes: number;
  /** …and at or below which it is resumed. */
  lowWaterBytes: number;
}

export const DEFAULT_SHELL_OPTIONS: ShellOptions = {
  rows: 24,
  cols: 80,
  term: 'xterm-256color',
  scrollbackBytes: 2 * 1024 * 1024,
  coalesceMs: 16,
  coalesceBytes: 64 * 1024,
  highWaterBytes: 512 * 1024,
  lowWaterBytes: 128 * 1024,
};

/** One batch of output for the view. */
export interface ShellOutput {
  data: string;
  /** UTF-8 bytes of `data`: what the view acknowledges with ack(). */
  bytes: number;
  /** Stream offset at the end of this batch, comparable with replay()'s `endOffset`. */
  offset: number;
}

export interface ShellExit {
  exitCode: number | null;
  signal: string | null;
  /** Why it ended: the program exited, the user closed it, or the connection was lost. */
  reason: 'exited' | 'closed' | 'connection-lost';
}

export interface ShellStats {
  scrollbackBytes: number;
  /** Sent to the view, not yet acknowledged. */
  unackedBytes: number;
  /** Read from SSH, waiting for the next batch. */
  pendingBytes: number;
  paused: boolean;
  totalBytes: number;
  attached: boolean;
}

/** The parts of an ssh2 channel a shell session uses (a PassThrough stands in for it in unit tests). */
export type ShellStream = Pick<
  ClientChannel,
  'write' | 'pause' | 'resume' | 'on' | 'once' | 'end' | 'close'
> & {
  setWindow?: ClientChannel['setWindow'];
  stderr?: NodeJS.ReadableStream;
};

/**
 * A PTY shell on an SSH connection, built the way Tabby builds its SSH tabs: output is coalesced
 * (about 16 ms or 64 KB), kept in a bounded scrollback ring for replay, and the SSH stream is paused
 * while the view has more than a high-water mark of unacknowledged bytes. Pausing the channel stops
 * ssh2 from adjusting the SSH window, so sshd stops sending and the program blocks on its tty
 * instead of main buffering the flood.
 *
 * When no view is attached (the user left the terminal) nothing is sent and nothing is waited for:
 * output only goes to the ring, so a long job keeps running.
 */
export class ShellSession extends EventEmitter {
  readonly id: string;
  private readonly options: ShellOptions;
  private readonly ring: ScrollbackRing;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private unacked = 0;
  private paused = false;
  private attachedValue = true;
  private exitInfo: ShellExit | null = null;
  private exitCode: number | null = null;
  private exitSignal: string | null = null;
  private closeReason: ShellExit['reason'] = 'exited';
  rows: number;
  cols: number;

  constructor(
    private readonly stream: ShellStream,
    options: Partial<ShellOptions> = {},
    id: string = randomUUID(),
  ) {
    super();
    this.id = id;
    this.options = { ...DEFAULT_SHELL_OPTIONS, ...options };
    this.rows = this.options.rows;
    this.cols = this.options.cols;
    this.ring = new ScrollbackRing(this.options.scrollbackBytes);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.stderr?.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('exit', (code: number | null, signal?: string) => {
      this.exitCode = typeof code === 'number' ? code : null;
      this.exitSignal = signal ?? null;
    });
    stream.on('close', () => this.onClose());
    stream.on('error', () => undefined);
  }

  /** Opens a PTY shell on a connected client. */
  static open(client: Client, options: Partial<ShellOptions> = {}, id?: string): Promise<ShellSession> {
    const merged = { ...DEFAULT_SHELL_OPTIONS, ...options };
    return new Promise((resolve, reject) => {
      client.shell({ rows: merged.rows, cols: merged.cols, term: merged.term }, (err, stream) => {
        if (err) return reject(new AppError('SSH_CONNECT', `The server refused a shell: ${err.message}`));
        resolve(new ShellSession(stream, merged, id));
      });
    });
  }

  get exited(): ShellExit | null {
    return this.exitInfo;
  }

  get attached(): boolean {
    return this.attachedValue;
  }

  stats(): ShellStats {
    return {
      scrollbackBytes: this.ring.bytes,
      unackedBytes: this.unacked,
      pendingBytes: this.pendingBytes,
      paused: this.paused,
      totalBytes: this.ring.written,
      attached: this.attachedValue,
    };
  }

  write(data: string | Buffer): void {
    if (this.exitInfo) throw new AppError('CONFLICT', 'This terminal has ended; open a new one.');
    this.stream.write(data);
  }

  resize(rows: number, cols: number): void {
    if (this.exitInfo) return;
    this.rows = rows;
    this.cols = cols;
    // ssh2 takes (rows, cols, height px, width px); the pixel size is optional and unused by sshd.
    this.stream.setWindow?.(rows, cols, 0, 0);
  }

  /** The view processed this many bytes of output. */
  ack(bytes: number): void {
    this.unacked = Math.max(0, this.unacked - bytes);
    this.maybeResume();
  }

  /**
   * Everything in the scrollback, for a view that (re)attaches. Output sent before this is counted
   * as delivered; output after `endOffset` arrives as events. The view is attached from now on.
   */
  replay(): { data: string; endOffset: number; truncated: boolean; exited: ShellExit | null } {
    this.flush();
    this.attachedValue = true;
    this.unacked = 0;
    this.maybeResume();
    return {
      data: this.ring.text(),
      endOffset: this.ring.written,
      truncated: this.ring.truncated,
      exited: this.exitInfo,
    };
  }

  /** The view went away: keep reading into the ring, send nothing, wait for no acks. */
  detach(): void {
    this.flush();
    this.attachedValue = false;
    this.unacked = 0;
    this.maybeResume();
  }

  close(): void {
    if (this.exitInfo) return;
    this.closeReason = 'closed';
    this.stream.close();
  }

  /** The connection under this shell died; the channel will never close on its own. */
  connectionLost(): void {
    if (this.exitInfo) return;
    this.closeReason = 'connection-lost';
    this.onClose();
  }

  private onData(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (text.length === 0) return;
    const bytes = Buffer.byteLength(text, 'utf8');
    this.ring.push(text, bytes);
    if (!this.attachedValue) return;
    this.pending += text;
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.options.coalesceBytes) this.flush();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), this.options.coalesceMs);
    // Pending output counts as unacknowledged too, so pausing does not wait for the next timer.
    if (this.unacked + this.pendingBytes >= this.options.highWaterBytes) this.pause();
  }

  private flush(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.pendingBytes === 0) return;
    const batch: ShellOutput = { data: this.pending, bytes: this.pendingBytes, offset: this.ring.written };
    this.pending = '';
    this.pendingBytes = 0;
    this.unacked += batch.bytes;
    if (this.unacked >= this.options.highWaterBytes) this.pause();
    this.emit('output', batch);
  }

  private pause(): void {
    if (this.paused || this.exitInfo) return;
    this.paused = true;
    this.stream.pause();
  }

  private maybeResume(): void {
    if (!this.paused) return;
    if (this.attachedValue && this.unacked + this.pendingBytes > this.options.lowWaterBytes) return;
    this.paused = false;
    this.stream.resume();
  }

  private onClose(): void {
    if (this.exitInfo) return;
    const tail = this.decoder.end();
    if (tail) this.onData(Buffer.from(tail, 'utf8'));
    this.flush();
    this.paused = false;
    this.exitInfo = { exitCode: this.exitCode, signal: this.exitSignal, reason: this.closeReason };
    this.emit('exit', this.exitInfo);
  }
}
