// tstudio new --class derivative|external|provisioning --name N [--port P] [--dir D] [--no-ci]
// Scaffolds a template folder at D/N (D defaults to the current folder) and lints it: a fresh
// scaffold has only placeholder findings (L040), which are listed as what is left to fill in.
// Derivative and external templates also get the repository's CI workflow (.github/workflows/tstudio.yml)
// unless --no-ci.
import type { CliIo } from '../io';
import { lintPath, scaffoldTemplate, type ScaffoldClass } from '../../services/templates';
import { AppError } from '../../../shared/errors';
import { APP_VERSION } from '../../version';

export interface NewCommandOptions {
  class: string;
  name: string;
  port?: number | string;
  dir?: string;
  /** commander's `--no-ci` gives `ci: false`; the workflow is written unless so. */
  ci?: boolean;
}

const CLASSES: ScaffoldClass[] = ['derivative', 'external', 'provisioning'];

export async function runNew(argv: NewCommandOptions, io: CliIo): Promise<number> {
  if (!CLASSES.includes(argv.class as ScaffoldClass)) {
    io.stderr(`tstudio new: --class must be one of ${CLASSES.join(', ')}.\n`);
    return 2;
  }
  const port = argv.port === undefined ? undefined : Number(argv.port);
  if (port !== undefined && !Number.isInteger(port)) {
    io.stderr(`tstudio new: --port must be a whole number.\n`);
    return 2;
  }
  try {
    const result = scaffoldTemplate({
      class: argv.class as ScaffoldClass,
      name: argv.name,
      port,
      dir: argv.dir ?? process.cwd(),
      ...(argv.ci === false ? {} : { ciWorkflow: { cliVersion: APP_VERSION } }),
    });
    io.stdout(`Created ${result.path}\n`);
    for (const f of result.files) io.stdout(`  ${f}\n`);
    if (result.ciWorkflow) io.stdout(`CI workflow: ${result.ciWorkflow}\n`);
    const todo = lintPath(result.path);
    if (todo.length > 0) {
      io.stdout(`\nFill in these ${todo.length} placeholder(s) (tstudio lint ${result.path}):\n`);
      for (const f of todo) io.stdout(`  ${f.file}:${f.line}:${f.column} ${f.message}\n`);
    }
    return 0;
  } catch (err) {
    io.stderr(`tstudio new: ${AppError.from(err).message}\n`);
    return 1;
  }
}
