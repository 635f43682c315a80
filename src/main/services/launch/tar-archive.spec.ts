import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTar } from './tar-archive';
import { demuxBuffer } from './local-run-service';

describe('createTar', () => {
  it('writes an archive GNU tar reads back, with modes and contents', () => {
    const longName = `.tstudio/${'d'.repeat(60)}/${'f'.repeat(60)}.sh`;
    const tar = createTar([
      { path: '.tstudio', type: 'dir', mode: 0o755 },
      { path: '.tstudio/launch.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      { path: '.tstudio/onstart', content: '' },
      { path: longName, content: 'x' },
    ]);
    expect(tar.length % 512).toBe(0);
    const listing = execFileSync('tar', ['-tvf', '-'], { input: tar }).toString();
    expect(listing).toMatch(/^drwxr-xr-x .* \.tstudio\/$/m);
    expect(listing).toMatch(/^-rwxr-xr-x .* 18 .* \.tstudio\/launch\.sh$/m);
    expect(listing).toMatch(/^-rw-r--r-- .* 0 .* \.tstudio\/onstart$/m);
    expect(listing).toContain(longName);
    expect(execFileSync('tar', ['-xOf', '-', '.tstudio/launch.sh'], { input: tar }).toString()).toBe(
      '#!/bin/sh\necho hi\n',
    );
  });
});

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
