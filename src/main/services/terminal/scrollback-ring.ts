/**
 * The last `maxBytes` of a terminal's output, kept in main so a view that comes back can replay it.
 * Chunks are kept whole (cheap to push) and the oldest are dropped once the total is over the bound;
 * a single chunk larger than the bound keeps only its tail.
 */
export class ScrollbackRing {
  private chunks: { text: string; bytes: number }[] = [];
  private head = 0;
  private bytesValue = 0;
  private writtenValue = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes currently kept. Never more than maxBytes. */
  get bytes(): number {
    return this.bytesValue;
  }

  /** Bytes ever pushed: the stream offset at the end of the newest chunk. */
  get written(): number {
    return this.writtenValue;
  }

  /** True when older output was dropped. */
  get truncated(): boolean {
    return this.writtenValue > this.bytesValue;
  }

  push(text: string, bytes = Buffer.byteLength(text, 'utf8')): void {
    if (bytes === 0) return;
    this.writtenValue += bytes;
    if (bytes > this.maxBytes) {
      const buf = Buffer.from(text, 'utf8');
      // Skip UTF-8 continuation bytes so the kept tail starts on a whole character.
      let start = buf.length - this.maxBytes;
      while (start < buf.length && ((buf[start] ?? 0) & 0xc0) === 0x80) start += 1;
      const tail = buf.subarray(start);
      this.chunks = [{ text: tail.toString('utf8'), bytes: tail.length }];
      this.head = 0;
      this.bytesValue = tail.length;
      return;
    }
    this.chunks.push({ text, bytes });
    this.bytesValue += bytes;
    while (this.bytesValue > this.maxBytes) {
      const oldest = this.chunks[this.head];
      if (!oldest) break;
      this.bytesValue -= oldest.bytes;
      this.head += 1;
    }
    // Compact now and then instead of shifting on every drop.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** Everything kept, oldest first. */
  text(): string {
    let out = '';
    for (let i = this.head; i < this.chunks.length; i++) out += this.chunks[i]?.text ?? '';
    return out;
  }
}
