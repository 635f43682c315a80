import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The app's resources/ folder (launch scripts, the demo template, sandbox data). Found by walking up
 * from this module, because it sits at different depths in the source tree, the bundle and a package.
 */
export function findResourcesDir(from: string = fileURLToPath(import.meta.url)): string | null {
  if (process.env.TSTUDIO_RESOURCES_DIR) return process.env.TSTUDIO_RESOURCES_DIR;
  let dir = dirname(from);
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'launch'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}
