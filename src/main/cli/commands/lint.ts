// tstudio lint PATH [--json] [--warn]
// Lints a template image folder or a repository of them. Exit 1 when there is an error finding.
// Like Vast's `imagegen lint`, warnings are shown (and listed in --json) only with --warn.
import type { CliIo } from '../io';
import { lintPath, type Finding } from '../../services/templates';
import { AppError } from '../../../shared/errors';

export interface LintCommandOptions {
  path: string;
  json?: boolean;
  warn?: boolean;
}

function human(f: Finding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity} ${f.code} ${f.message}\n`;
}

export async function runLint(argv: LintCommandOptions, io: CliIo): Promise<number> {
  let findings: Finding[];
  try {
    findings = lintPath(argv.path, { warnings: argv.warn === true });
  } catch (err) {
    const e = AppError.from(err);
    io.stderr(`tstudio lint: ${e.message}\n`);
    return 2;
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (argv.json) {
    const out = findings.map(({ code, severity, file, line, column, message }) => ({
      code,
      severity,
      file,
      line,
      column,
      message,
    }));
    io.stdout(`${JSON.stringify({ findings: out })}\n`);
  } else {
    for (const f of findings) io.stdout(human(f));
    const warnings = findings.length - errors;
    io.stdout(
      findings.length === 0
        ? 'No problems found.\n'
        : `${errors} error(s)${argv.warn ? `, ${warnings} warning(s)` : ''}.\n`,
    );
  }
  return errors > 0 ? 1 : 0;
}
