/**
 * A minimal ustar writer for the few small files a run puts into its container (putArchive wants a
 * tar). Kept here rather than pulling tar-stream in directly: it is a transitive dependency only.
 */
export interface TarEntry {
  /** Path inside the archive, no leading slash: `.tstudio/launch/launch.sh`. */
  path: string;
  content?: Buffer | string;
  mode?: number;
  type?: 'file' | 'dir';
}

export function createTar(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const entry of entries) {
    const isDir = entry.type === 'dir';
    const body = isDir
      ? Buffer.alloc(0)
      : Buffer.isBuffer(entry.content)
        ? entry.content
        : Buffer.from(entry.content ?? '', 'utf8');
    const name = isDir && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
    const header = Buffer.alloc(512, 0);
    const { prefix, base } = splitName(name);
    header.write(base, 0, 100, 'utf8');
    writeOctal(header, entry.mode ?? (isDir ? 0o755 : 0o644), 100, 8);
    writeOctal(header, 0, 108, 8); // uid root
    writeOctal(header, 0, 116, 8); // gid root
    writeOctal(header, body.length, 124, 12);
    writeOctal(header, mtime, 136, 12);
    header.fill(' ', 148, 156); // checksum is computed with this field as spaces
    header.write(isDir ? '5' : '0', 156, 1, 'ascii');
    header.write('ustar\u000000', 257, 8, 'binary');
    header.write(prefix, 345, 155, 'utf8');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
    blocks.push(header, body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad, 0));
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  const cut = name.lastIndexOf('/', name.length - 2);
  const prefix = name.slice(0, cut);
  const base = name.slice(cut + 1);
  if (cut <= 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) {
    throw new Error(`Path too long for a tar header: ${name}`);
  }
  return { prefix, base };
}

function writeOctal(buf: Buffer, value: number, offset: number, length: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
