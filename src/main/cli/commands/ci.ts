// tstudio ci PATH [--force] [--json]
// Writes (or refreshes) .github/workflows/tstudio.yml for the repository holding the template folder
// PATH: install the CLI, tstudio lint, tstudio build, tstudio smoke --mode ssh, and on the default
// branch docker login (secrets REGISTRY_USER / REGISTRY_PASSWORD) and tstudio push.
import { AppError } from '../../../shared/errors';
import { writeCiWorkflow } from '../../services/templates';
import { APP_VERSION } from '../../version';
import type { CliIo } from '../io';

export interface CiCommandOptions {
  /** The template's image folder. */
  path: string;
  /** Replace a tstudio.yml that Template Studio did not write. */
  force?: boolean;
  json?: boolean;
}

export async function runCi(argv: CiCommandOptions, io: CliIo): Promise<number> {
  try {
    const result = writeCiWorkflow({ templateDir: argv.path, cliVersion: APP_VERSION, force: argv.force });
    if (argv.json) {
      io.stdout(`${JSON.stringify(result)}\n`);
      return 0;
    }
    io.stdout(`${result.created ? 'Wrote' : 'Updated'} ${result.path}\n`);
    io.stdout(`  image ${result.image} (registry ${result.registry}), from ${result.workingDirectory}\n`);
    io.stdout(
      '  add the repository secrets REGISTRY_USER and REGISTRY_PASSWORD to push on the default branch\n',
    );
    return 0;
  } catch (err) {
    io.stderr(`tstudio ci: ${AppError.from(err).message}\n`);
    return 1;
  }
}
