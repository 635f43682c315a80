// tstudio smoke PATH [--mode ssh|jupyter|args] [--template NAME] [--timeout S] [--port-grace S] [--strict] [--json]
import { formatSmokeReport, runSmoke as smokeTemplate, type RunMode } from '../../services/launch';
import type { CliIo } from '../io';
import { createLocalRunsContext, type LocalRunsContext } from './run';

export interface SmokeCommandOptions {
  /** A template folder. */
  path: string;
  mode?: RunMode;
  template?: string;
  /** Seconds for the whole smoke, build included (default 300). */
  timeout?: number;
  strict?: boolean;
  /** Seconds a RUNNING portal program may take to bind its internal port (default 60). */
  portGrace?: number;
  json?: boolean;
}

/** Exit code 0 only when every check passed; 1 otherwise (the report says which and why). */
export async function runSmoke(
  argv: SmokeCommandOptions,
  io: CliIo,
  context?: LocalRunsContext,
): Promise<number> {
  const ctx = context ?? (await createLocalRunsContext());
  const report = await smokeTemplate(
    ctx.runs,
    ctx.docker,
    {
      source: argv.path,
      mode: argv.mode ?? 'ssh',
      template: argv.template,
      timeoutMs: (argv.timeout ?? 300) * 1000,
      strict: argv.strict,
      portGraceSeconds: argv.portGrace,
    },
    {
      signal: io.signal ?? new AbortController().signal,
      log: (text) => io.stderr(text),
      emit: () => undefined,
    },
  );
  io.stdout(argv.json ? `${JSON.stringify(report)}\n` : formatSmokeReport(report));
  return report.ok ? 0 : 1;
}
