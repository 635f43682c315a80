import { describe, expect, it } from 'vitest';
import { demuxBuffer } from './demux-buffer';

describe('demuxBuffer', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(body.length, 4);
    return Buffer.concat([header, body]);
  };
  it('joins stdout and stderr frames in order', () => {
    expect(demuxBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more')]))).toBe(
      'out\nerr\nmore',
    );
  });
  it('hands back unframed text as it is', () => {
    expect(demuxBuffer(Buffer.from('plain text, no frames'))).toBe('plain text, no frames');
  });
});
