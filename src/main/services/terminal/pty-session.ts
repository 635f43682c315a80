import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { AppError } from '../../../shared/errors';
import { ScrollbackRing } from './scrollback-ring';

export interface PtyOptions {
  rows: number;
  cols: number;
  /** TERM for the program's side. */
  term: string;
  /** Scrollback kept in main for replay (bytes). */
  scrollbackBytes: number;
  /** Output is coalesced for this long (ms)… */
  coalesceMs: number;
  /** …or until this many bytes are pending. */
  coalesceBytes: number;
  /** Bytes sent to the view and not yet acknowledged at which the source is paused. */
  highWaterBytes: number;
  /** …and at or below which it is resumed. */
  lowWaterBytes: number;
}

export const DEFAULT_PTY_OPTIONS: PtyOptions = {
  rows: 24,
  cols: 80,
  term: 'xterm-256color',
  scrollbackBytes: 2 * 1024 * 1024,
  coalesceMs: 16,
  // A flood arrives in few large batches (each one WebSocket message, one xterm write, one ack), and
  // the window covers the ack's round trip at tens of MB/s so the view never waits on main; still a
  // fixed bound per terminal. Measured by bench/terminal.bench.mjs: 0.37 -> 0.41 of xterm alone with
  // `contain: strict` on the terminal host, against 64 KiB batches and a 512 KiB window.
  coalesceBytes: 256 * 1024,
  highWaterBytes: 4 * 1024 * 1024,
  lowWaterBytes: 2 * 1024 * 1024,
};

/** One batch of output for the view. */
export interface PtyOutput {
  data: string;
  /** UTF-8 bytes of `data`: what the view acknowledges with ack(). */
  bytes: number;
  /** Stream offset at the end of this batch, comparable with replay()'s `endOffset`. */
  offset: number;
}

export interface PtyExit {
  exitCode: number | null;
  signal: string | null;
  /** Why it ended: the program exited, the user closed it, or the connection was lost for good. */
  reason: 'exited' | 'closed' | 'connection-lost';
}

/**
 * open: a program is attached; reconnecting: its transport dropped and the terminal waits for a new
 * one (id and scrollback kept, input refused); exited: over, only replay is left.
 */
export type PtyState = 'open' | 'reconnecting' | 'exited';

export interface PtyStats {
  scrollbackBytes: number;
  /** Sent to the view, not yet acknowledged. */
  unackedBytes: number;
  /** Read from the source, waiting for the next batch. */
  pendingBytes: number;
  paused: boolean;
  totalBytes: number;
  attached: boolean;
}

/** How a channel's program ended, as far as the channel knows. */
export interface PtyChannelEnd {
  exitCode: number | null;
  signal: string | null;
}

/** Where a channel delivers what it reads. */
export interface PtySink {
  data(chunk: Buffer): void;
  end(status: PtyChannelEnd): void;
}

/**
 * One live PTY under a terminal: an SSH shell channel or a docker exec with a TTY. A terminal may
 * go through several (one per reconnect); everything else lives in PtySession.
 */
export interface PtyChannel {
  write(data: string | Buffer): void;
  /** Stop reading: the transport's own flow control then stops the program. */
  pause(): void;
  resume(): void;
  resize(rows: number, cols: number): void;
  /** Ask the program to end; the sink's end() follows. */
  close(): void;
  /** The transport is gone: free what is held, expect nothing more. */
  abandon(): void;
}

export type OpenPtyChannel = (sink: PtySink) => PtyChannel;

/** Lines the terminal writes into its own stream (dim, on a line of their own). */
export const NOTICES = {
  lost: '\r\n\x1b[2m[connection lost — reconnecting…]\x1b[0m\r\n',
  reconnected: '\r\n\x1b[2m[reconnected]\x1b[0m\r\n',
  gaveUp: (why: string) => `\r\n\x1b[2m[connection lost for good: ${why}]\x1b[0m\r\n`,
};

/**
 * A terminal's stream, whatever carries it, built the way Tabby builds its SSH tabs: output is
 * coalesced (about 16 ms or 256 KiB), kept in a bounded scrollback ring for replay, and the channel is
 * paused while the view has more than a high-water mark of unacknowledged bytes. Pausing stops the
 * transport's window (SSH) or TCP reads (docker's hijacked socket), so the program blocks on its
 * tty instead of main buffering a flood.
 *
 * When no view is attached (the user left the terminal) nothing is sent and nothing is waited for:
 * output only goes to the ring, so a long job keeps running.
 *
 * The channel can be swapped: suspend() when its transport dropped, attach() a fresh one.
 * The id, the scrollback and the stream offsets carry on, so a view never notices but for the
 * notices written into the stream.
 */
export class PtySession extends EventEmitter {
  readonly id: string;
  protected readonly options: PtyOptions;
  private readonly ring: ScrollbackRing;
  private decoder = new StringDecoder('utf8');
  private channel: PtyChannel | null = null;
  /** Bumped on every channel change, so a dropped channel's late events are ignored. */
  private generation = 0;
  private pending = '';
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private unacked = 0;
  private paused = false;
  private attachedValue = true;
  private stateValue: PtyState = 'open';
  private exitInfo: PtyExit | null = null;
  private closing = false;
  rows: number;
  cols: number;

  constructor(options: Partial<PtyOptions> = {}, id: string = randomUUID()) {
    super();
    this.id = id;
    this.options = { ...DEFAULT_PTY_OPTIONS, ...options };
    this.rows = this.options.rows;
    this.cols = this.options.cols;
    this.ring = new ScrollbackRing(this.options.scrollbackBytes);
  }

  get state(): PtyState {
    return this.stateValue;
  }

  get exited(): PtyExit | null {
    return this.exitInfo;
  }

  get attached(): boolean {
    return this.attachedValue;
  }

  stats(): PtyStats {
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
    if (!this.channel) {
      throw new AppError(
        'CONFLICT',
        'The terminal is reconnecting; this input was not sent. Type it again once it says [reconnected].',
      );
    }
    this.channel.write(data);
  }

  resize(rows: number, cols: number): void {
    if (this.exitInfo) return;
    this.rows = rows;
    this.cols = cols;
    // While reconnecting the size is only remembered: the next channel opens with it.
    this.channel?.resize(rows, cols);
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
  replay(): { data: string; endOffset: number; truncated: boolean; exited: PtyExit | null; state: PtyState } {
    this.flush();
    this.attachedValue = true;
    this.unacked = 0;
    this.maybeResume();
    return {
      data: this.ring.text(),
      endOffset: this.ring.written,
      truncated: this.ring.truncated,
      exited: this.exitInfo,
      state: this.stateValue,
    };
  }

  /** The view went away: keep reading into the ring, send nothing, wait for no acks. */
  detach(): void {
    this.flush();
    this.attachedValue = false;
    this.unacked = 0;
    this.maybeResume();
  }

  /** The user ends the terminal. */
  close(): void {
    if (this.exitInfo) return;
    this.closing = true;
    if (this.channel) this.channel.close();
    else this.finish({ exitCode: null, signal: null }, 'closed');
  }

  /** The transport is gone for good (or the app gives up on it): the terminal ends. */
  connectionLost(why?: string): void {
    if (this.exitInfo) return;
    this.dropChannel();
    if (why) this.notice(NOTICES.gaveUp(why));
    this.finish({ exitCode: null, signal: null }, 'connection-lost');
  }

  /**
   * The transport under the channel dropped but may come back: keep the id and the scrollback,
   * say so in the stream, refuse input until attach().
   */
  suspend(): void {
    if (this.exitInfo || this.stateValue === 'reconnecting') return;
    if (this.closing) return this.finish({ exitCode: null, signal: null }, 'closed');
    this.dropChannel();
    this.notice(NOTICES.lost);
    this.setState('reconnecting');
  }

  /**
   * Streams a channel into this terminal: the first one, or a fresh one after a reconnect (then the
   * stream says [reconnected] and the state goes back to open).
   */
  attach(open: OpenPtyChannel): void {
    if (this.exitInfo) return;
    const wasReconnecting = this.stateValue === 'reconnecting';
    if (wasReconnecting) this.notice(NOTICES.reconnected);
    this.attachChannel(open);
    if (wasReconnecting) this.setState('open');
  }

  /** Writes a line of the terminal's own into the stream (kept in the scrollback like output). */
  protected notice(text: string): void {
    this.onText(text);
    this.flush();
  }

  /**
   * Whether a channel that ended with no exit status lost its transport (instead of its program
   * ending). Subclasses that can tell answer true to be suspended rather than ended.
   */
  protected endedByTransport(_status: PtyChannelEnd): boolean {
    return false;
  }

  private attachChannel(open: OpenPtyChannel): void {
    this.dropChannel();
    const generation = ++this.generation;
    this.decoder = new StringDecoder('utf8');
    const channel = open({
      data: (chunk) => {
        if (generation === this.generation) this.onData(chunk);
      },
      end: (status) => {
        if (generation === this.generation) this.onChannelEnd(status);
      },
    });
    if (generation !== this.generation) return channel.abandon();
    this.channel = channel;
    if (this.paused) channel.pause();
  }

  private dropChannel(): void {
    if (!this.channel) return;
    const channel = this.channel;
    this.channel = null;
    this.generation += 1;
    const tail = this.decoder.end();
    if (tail) this.onText(tail);
    channel.abandon();
  }

  private onChannelEnd(status: PtyChannelEnd): void {
    if (this.exitInfo) return;
    const noStatus = status.exitCode === null && status.signal === null;
    if (!this.closing && noStatus && this.endedByTransport(status)) return this.suspend();
    const tail = this.decoder.end();
    if (tail) this.onText(tail);
    this.channel = null;
    this.generation += 1;
    this.finish(status, this.closing ? 'closed' : 'exited');
  }

  private onData(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (text.length > 0) this.onText(text);
  }

  private onText(text: string): void {
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
    const batch: PtyOutput = { data: this.pending, bytes: this.pendingBytes, offset: this.ring.written };
    this.pending = '';
    this.pendingBytes = 0;
    this.unacked += batch.bytes;
    if (this.unacked >= this.options.highWaterBytes) this.pause();
    this.emit('output', batch);
  }

  private pause(): void {
    if (this.paused || this.exitInfo) return;
    this.paused = true;
    this.channel?.pause();
  }

  private maybeResume(): void {
    if (!this.paused) return;
    if (this.attachedValue && this.unacked + this.pendingBytes > this.options.lowWaterBytes) return;
    this.paused = false;
    this.channel?.resume();
  }

  private setState(state: PtyState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', state);
  }

  private finish(status: PtyChannelEnd, reason: PtyExit['reason']): void {
    if (this.exitInfo) return;
    this.flush();
    this.paused = false;
    this.exitInfo = { exitCode: status.exitCode, signal: status.signal, reason };
    this.setState('exited');
    this.emit('exit', this.exitInfo);
  }
}
