#!/usr/bin/env node
// The CLI entry: the built bundle (npm run build) holds the real program.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(
    'tstudio is not built yet: run `npm run build` in the Template Studio folder first.\n',
  );
  process.exit(1);
}
await import(cli);
