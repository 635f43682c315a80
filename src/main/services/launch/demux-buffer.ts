/** Splits a non-TTY log buffer (8-byte frame headers) into its text. */
export function demuxBuffer(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    if ((type !== 0 && type !== 1 && type !== 2) || offset + 8 + size > buffer.length) {
      // Not framed after all: hand back what is left as text.
      parts.push(buffer.subarray(offset));
      offset = buffer.length;
      break;
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  if (offset < buffer.length) parts.push(buffer.subarray(offset));
  return Buffer.concat(parts).toString('utf8');
}
