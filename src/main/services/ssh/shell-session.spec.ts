import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SHELL_OPTIONS, ShellSession, type ShellOutput, type ShellStream } from './shell-session';

/** Stands in for an ssh2 channel: it only delivers data while not paused, as a real stream does. */
class FakeChannel extends EventEmitter {
  paused = false;
  written: string[] = [];
  windows: [number, number][] = [];
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  write(data: string | Buffer): boolean {
    this.written.push(String(data));
    return true;
  }
  setWindow(rows: number, cols: number): boolean {
    this.windows.push([rows, cols]);
    return true;
  }
  end(): this {
    return this;
  }
  close(): this {
    this.emit('exit', null, 'HUP');
    this.emit('close');
    return this;
  }
  /** Feeds chunks until the consumer pauses us; returns how many went in. */
  feed(chunk: Buffer, count: number): number {
    let fed = 0;
    while (fed < count && !this.paused) {
      this.emit('data', chunk);
      fed += 1;
    }
    return fed;
  }
}

function session(options: ConstructorParameters<typeof ShellSession>[1] = {}) {
  const channel = new FakeChannel();
  const shell = new ShellSession(channel as unknown as ShellStream, options);
  const outputs: ShellOutput[] = [];
  shell.on('output', (o: ShellOutput) => outputs.push(o));
  return { channel, shell, outputs };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ShellSession', () => {
  it('coalesces small chunks into one batch after the coalesce delay', () => {
    vi.useFakeTimers();
    const { channel, outputs } = session({ coalesceMs: 16 });
    channel.emit('data', Buffer.from('hel'));
    channel.emit('data', Buffer.from('lo'));
    expect(outputs).toHaveLength(0);
    vi.advanceTimersByTime(16);
    expect(outputs).toEqual([{ data: 'hello', bytes: 5, offset: 5 }]);
  });

  it('flushes at once when the coalesce size is reached', () => {
    const { channel, outputs } = session({ coalesceBytes: 8 });
    channel.emit('data', Buffer.from('123456789'));
    expect(outputs.map((o) => o.data)).toEqual(['123456789']);
  });

  it('keeps a multi-byte character split across chunks whole', () => {
    const { channel, outputs } = session({ coalesceBytes: 1 });
    const euro = Buffer.from('€');
    channel.emit('data', euro.subarray(0, 1));
    channel.emit('data', euro.subarray(1));
    expect(outputs.map((o) => o.data).join('')).toBe('€');
  });

  it('pauses the stream at the high-water mark and resumes after acks bring it under the low-water mark', () => {
    const { channel, shell, outputs } = session({
      highWaterBytes: 256 * 1024,
      lowWaterBytes: 64 * 1024,
      coalesceBytes: 64 * 1024,
    });
    const fed = channel.feed(Buffer.alloc(32 * 1024, 0x61), 10_000);
    expect(channel.paused).toBe(true);
    expect(fed).toBeLessThanOrEqual(8);
    expect(shell.stats().unackedBytes + shell.stats().pendingBytes).toBeLessThanOrEqual(
      256 * 1024 + 32 * 1024,
    );
    const sent = outputs.reduce((n, o) => n + o.bytes, 0);
    shell.ack(sent - 128 * 1024);
    expect(channel.paused).toBe(true);
    shell.ack(64 * 1024);
    expect(channel.paused).toBe(false);
  });

  it('stays bounded under a 50 MB flood with a consumer that acks late, and keeps the newest output', () => {
    const { channel, shell, outputs } = session({ scrollbackBytes: 2 * 1024 * 1024 });
    const chunk = Buffer.alloc(32 * 1024, 0x62);
    let delivered = 0;
    let maxInFlight = 0;
    while (delivered < 50_000_000) {
      delivered += channel.feed(chunk, 50_000_000 / chunk.length) * chunk.length;
      const stats = shell.stats();
      maxInFlight = Math.max(maxInFlight, stats.unackedBytes + stats.pendingBytes);
      expect(stats.scrollbackBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
      // The slow consumer: acknowledges everything only once it was paused.
      shell.ack(outputs.splice(0).reduce((n, o) => n + o.bytes, 0));
    }
    // In flight never passes the high-water mark by more than the chunk that crossed it.
    expect(maxInFlight).toBeLessThanOrEqual(DEFAULT_SHELL_OPTIONS.highWaterBytes + chunk.length);
    channel.emit('data', Buffer.from('END'));
    const replay = shell.replay();
    expect(replay.data.endsWith('END')).toBe(true);
    expect(replay.truncated).toBe(true);
    expect(replay.endOffset).toBe(delivered + 3);
  });

  it('sends nothing and never pauses while detached, but keeps the ring for replay', () => {
    const { channel, shell, outputs } = session({ scrollbackBytes: 1024 * 1024 });
    shell.detach();
    const fed = channel.feed(Buffer.alloc(32 * 1024, 0x63), 200);
    expect(fed).toBe(200);
    expect(outputs).toHaveLength(0);
    expect(shell.stats().scrollbackBytes).toBe(1024 * 1024);
    const replay = shell.replay();
    expect(replay.data.length).toBe(1024 * 1024);
    expect(shell.attached).toBe(true);
  });

  it('passes writes and resizes to the channel and reports the exit', () => {
    const { channel, shell } = session();
    shell.write('ls\r');
    shell.resize(40, 120);
    expect(channel.written).toEqual(['ls\r']);
    expect(channel.windows).toEqual([[40, 120]]);
    const exits: unknown[] = [];
    shell.on('exit', (e) => exits.push(e));
    channel.emit('exit', 3);
    channel.emit('close');
    expect(exits).toEqual([{ exitCode: 3, signal: null, reason: 'exited' }]);
    expect(() => shell.write('x')).toThrow(/ended/);
  });

  it('keeps id and scrollback across a dropped connection and streams a fresh channel into the same terminal', () => {
    const { channel, shell, outputs } = session({ coalesceBytes: 1 });
    const states: string[] = [];
    shell.on('state', (s: string) => states.push(s));
    channel.emit('data', Buffer.from('before\r\n'));
    shell.suspend();
    expect(shell.state).toBe('reconnecting');
    expect(() => shell.write('lost?')).toThrow(/reconnecting/);
    shell.resize(30, 100);
    // The dead channel's late output is not the terminal's any more.
    channel.emit('data', Buffer.from('ghost'));
    const fresh = new FakeChannel();
    shell.attach((sink) => {
      fresh.on('data', (c: Buffer) => sink.data(c));
      return {
        write: (d) => void fresh.write(d),
        pause: () => void fresh.pause(),
        resume: () => void fresh.resume(),
        resize: (r, c) => void fresh.setWindow(r, c),
        close: () => void fresh.close(),
        abandon: () => undefined,
      };
    });
    fresh.emit('data', Buffer.from('after'));
    shell.write('x');
    expect(fresh.written).toEqual(['x']);
    expect(channel.written).toEqual([]);
    expect(states).toEqual(['reconnecting', 'open']);
    const text = outputs.map((o) => o.data).join('');
    expect(text).not.toContain('ghost');
    expect(text).toMatch(/before\r\n.*connection lost — reconnecting.*\[reconnected\].*after$/s);
    expect(outputs.at(-1)?.offset).toBe(Buffer.byteLength(text));
    expect(shell.replay().data).toBe(text);
    expect(shell.rows).toBe(30);
  });

  it('treats a channel that closes with no exit status while the transport is down as a drop, not an exit', () => {
    const { channel, shell } = session();
    let down = false;
    shell.transportDown = () => down;
    down = true;
    channel.emit('close');
    expect(shell.state).toBe('reconnecting');
    expect(shell.exited).toBeNull();
  });

  it('ends with connection-lost when the reconnect fails for good, and closed when the user closes it meanwhile', () => {
    const a = session();
    a.shell.suspend();
    a.shell.connectionLost('refused');
    expect(a.shell.exited).toEqual({ exitCode: null, signal: null, reason: 'connection-lost' });
    expect(a.shell.state).toBe('exited');
    expect(a.shell.replay().data).toContain('connection lost for good: refused');
    const b = session();
    b.shell.suspend();
    b.shell.close();
    expect(b.shell.exited?.reason).toBe('closed');
  });
});
