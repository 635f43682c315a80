import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** CLI tests run the built bundle, as users do; build it once if this checkout has not yet. */
export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  if (!existsSync(join(root, 'out', 'main', 'cli.js'))) {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit' });
  }
}
