import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';

/** Where launch.sh lives inside the container. */
export const LAUNCH_DIR_IN_CONTAINER = '/.tstudio/launch';
export const LAUNCH_SCRIPT_IN_CONTAINER = `${LAUNCH_DIR_IN_CONTAINER}/launch.sh`;

/**
 * resources/launch, wherever the app runs from: the source tree (tests, CLI from a checkout), the
 * bundled out/ folder, or a packaged app's resources.
 */
export function findLaunchScriptsDir(): string {
  const candidates: string[] = [];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath)
    candidates.push(join(resourcesPath, 'launch'), join(resourcesPath, 'resources', 'launch'));
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    candidates.push(join(dir, 'resources', 'launch'));
    dir = dirname(dir);
  }
  candidates.push(resolve('resources', 'launch'));
  const found = candidates.find((c) => existsSync(join(c, 'launch.sh')));
  if (!found)
    throw new AppError(
      'INTERNAL',
      `The launch scripts (resources/launch/launch.sh) are missing from this installation. Looked in: ${candidates.slice(0, 4).join(', ')}…`,
    );
  return found;
}

/** The files of /.tstudio/launch: launch.sh and the template's onstart next to it. */
export async function launchFiles(scriptsDir: string, onstart: string): Promise<Record<string, Buffer>> {
  return {
    'launch.sh': await readFile(join(scriptsDir, 'launch.sh')),
    onstart: Buffer.from(onstart.endsWith('\n') || onstart === '' ? onstart : `${onstart}\n`),
  };
}

/**
 * The entrypoint's own script in ssh and jupyter modes: it writes launch.sh and onstart (its first two
 * arguments) into /.tstudio/launch and execs launch.sh with the mode (the third). The files travel in
 * the container's config instead of an archive copied in before the start: a copy makes the engine
 * mount the container's filesystem, tens of milliseconds on the way to "ready", and a bind mount would
 * tie the run to a folder on this machine (and not work with a remote engine). Every start rewrites
 * the same files; after the exec, PID 1 reads `/bin/sh /.tstudio/launch/launch.sh ssh`.
 */
const LAUNCH_BOOTSTRAP =
  `mkdir -p ${LAUNCH_DIR_IN_CONTAINER} && printf %s "$1" > ${LAUNCH_DIR_IN_CONTAINER}/launch.sh && ` +
  `printf %s "$2" > ${LAUNCH_DIR_IN_CONTAINER}/onstart && exec /bin/sh ${LAUNCH_SCRIPT_IN_CONTAINER} "$3"`;

/**
 * How a launched run is described (compose export, run details): the script run from the files beside
 * it, not the bootstrap that carries them in the container's config.
 */
export function describedLaunchCommand(mode: string): { entrypoint: string[]; cmd: string[] } {
  return { entrypoint: ['/bin/sh', LAUNCH_SCRIPT_IN_CONTAINER], cmd: [mode] };
}

/** Entrypoint and Cmd of a run launched the Vast way (ssh or jupyter mode). */
export function launchCommand(
  files: Record<string, Buffer>,
  mode: string,
): { Entrypoint: string[]; Cmd: string[] } {
  return {
    Entrypoint: ['/bin/sh', '-c', LAUNCH_BOOTSTRAP, 'tstudio-launch'],
    Cmd: [(files['launch.sh'] as Buffer).toString('utf8'), (files.onstart as Buffer).toString('utf8'), mode],
  };
}

/** launch.sh and onstart as a run's container holds them (read back for an export). */
export async function readLaunchFiles(container: Docker.Container): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const name of ['launch.sh', 'onstart']) {
    const stream = await container
      .getArchive({ path: `${LAUNCH_DIR_IN_CONTAINER}/${name}` })
      .catch((err: unknown) => {
        throw new AppError(
          'NOT_FOUND',
          `The run has no ${LAUNCH_DIR_IN_CONTAINER}/${name} (${(err as Error).message}); was it made by this app?`,
        );
      });
    out[name] = await firstFileOfTar(stream);
  }
  return out;
}

/** The content of the first regular file in a tar stream (one file's archive, as getArchive gives). */
async function firstFileOfTar(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  const tar = Buffer.concat(chunks);
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    const body = offset + 512;
    if (type === '0' || type === '\0') return tar.subarray(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
  }
  return Buffer.alloc(0);
}
