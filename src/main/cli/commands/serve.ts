// tstudio serve [--port N] [--host ADDRESS]
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createApp } from '../../app';
import { startBrowserShell } from '../../server';
import type { CliIo } from '../io';

export interface ServeOptions {
  port?: number;
  host?: string;
  rendererDir?: string;
}

/**
 * Where the built renderer sits beside the built CLI: out/renderer, seen from out/main/cli.js or
 * from the chunk this command is loaded from (out/main/chunks/…).
 */
export function defaultRendererDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '..', 'renderer'), join(here, '..', '..', 'renderer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? (candidates[0] as string);
}

export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  const host = options.host ?? '127.0.0.1';
  const app = createApp({ shell: 'browser' });
  const shell = await startBrowserShell({
    app,
    host,
    port: options.port ?? 0,
    rendererDir: options.rendererDir ?? defaultRendererDir(),
    log: (line) => io.stderr(`${line}\n`),
  });
  // The first line of output is the URL with its token; scripts and tests read it.
  io.stdout(`${shell.url}\n`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    io.stderr(
      `warning: listening on ${host}, not only this machine. Anyone who can reach it and has the token controls your Docker engine.\n`,
    );
  }
  io.stderr('Template Studio is serving. Press Ctrl-C to stop.\n');
  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) return resolve();
    io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await shell.close();
  await app.dispose();
  return 0;
}
