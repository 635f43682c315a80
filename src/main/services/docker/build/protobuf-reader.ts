/**
 * The few pieces of the protobuf wire format that BuildKit's StatusResponse needs: varints and
 * length-delimited fields. A full protobuf library would be a dependency for four small messages.
 */
export interface ProtoField {
  field: number;
  wireType: number;
  /** Varint fields (wire type 0) as a number; exact below 2^53, which covers timestamps and sizes. */
  varint?: number;
  /** Length-delimited fields (wire type 2). */
  bytes?: Uint8Array;
}

export function* readFields(buf: Uint8Array): Generator<ProtoField> {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let multiplier = 1;
    for (;;) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const b = buf[pos++] as number;
      result += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return result;
      multiplier *= 128;
      if (multiplier > 2 ** 70) throw new Error('varint too long');
    }
  };
  while (pos < buf.length) {
    const key = readVarint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    switch (wireType) {
      case 0:
        yield { field, wireType, varint: readVarint() };
        break;
      case 1:
        pos += 8;
        yield { field, wireType };
        break;
      case 2: {
        const length = readVarint();
        if (pos + length > buf.length) throw new Error('truncated length-delimited field');
        yield { field, wireType, bytes: buf.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        yield { field, wireType };
        break;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8');
export const decodeString = (bytes: Uint8Array | undefined): string => (bytes ? utf8.decode(bytes) : '');
