/**
 * Lines of a streaming log, built from arbitrary text chunks: a chunk may end mid-line, and a
 * carriage return rewrites the current line (progress bars), as a terminal would show it.
 * Bounded: past `maxLines` the oldest lines go, and `dropped` says how many.
 */
export class LogBuffer {
  readonly lines: string[] = [];
  private partial = '';
  dropped = 0;
  /** Bumped on every change, so React can tell cheaply that something moved. */
  version = 0;

  constructor(private readonly maxLines = 2_000_000) {}

  append(text: string): void {
    if (text.length === 0) return;
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.lines.push(lastCarriageSegment(part));
    if (this.lines.length > this.maxLines) {
      const extra = this.lines.length - this.maxLines;
      this.lines.splice(0, extra);
      this.dropped += extra;
    }
    this.version++;
  }

  /** Every complete line plus the one still being written. */
  get length(): number {
    return this.lines.length + (this.partial.length > 0 ? 1 : 0);
  }

  line(index: number): string {
    return index < this.lines.length ? (this.lines[index] ?? '') : lastCarriageSegment(this.partial);
  }

  clear(): void {
    this.lines.length = 0;
    this.partial = '';
    this.dropped = 0;
    this.version++;
  }

  text(): string {
    return this.lines.join('\n') + (this.partial ? `\n${lastCarriageSegment(this.partial)}` : '');
  }
}

function lastCarriageSegment(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = trimmed.lastIndexOf('\r');
  return cr >= 0 ? trimmed.slice(cr + 1) : trimmed;
}

// Escape sequences are control characters by definition.
const ANSI_PATTERN =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The text of a line as a user reads it, without escape sequences (for search and copy). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}
