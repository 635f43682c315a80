import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../../shared/errors';
import { createTar } from './tar-archive';

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

/** The tar put at / before the container starts: launch.sh and the template's onstart next to it. */
export async function launchArchive(scriptsDir: string, onstart: string): Promise<Buffer> {
  const launch = await readFile(join(scriptsDir, 'launch.sh'));
  return createTar([
    { path: '.tstudio', type: 'dir', mode: 0o755 },
    { path: '.tstudio/launch', type: 'dir', mode: 0o755 },
    { path: '.tstudio/launch/launch.sh', content: launch, mode: 0o755 },
    {
      path: '.tstudio/launch/onstart',
      content: onstart.endsWith('\n') || onstart === '' ? onstart : `${onstart}\n`,
      mode: 0o644,
    },
  ]);
}
