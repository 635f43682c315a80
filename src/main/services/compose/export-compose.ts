import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../../../shared/errors';
import type { LaunchDescription, LocalRunService, ProgressReporter, RunMode } from '../launch/index';
import { COMPOSE_FILE, LAUNCH_DIR, renderCompose } from './compose-document';

export interface ComposeExportOptions {
  /** The folder to write docker-compose.yaml and the launch files into (made if missing). */
  out: string;
  /** For a template source: the launch mode (a run keeps its own). */
  mode?: RunMode;
  template?: string;
  /** For a template source: `PATH`, `volume:NAME` or `none` (default: the remembered choice). */
  workspace?: string;
  /** Fixed host ports for a template source, `{"8000/tcp": 8000}`; the rest are chosen free now. */
  hostPorts?: Record<string, number>;
  /** Labels on every container compose makes. */
  labels?: Record<string, string>;
  /** For a template source: use (and build if missing) this tag instead of the template's image:tag. */
  buildTag?: string;
}

export interface ComposeExportResult {
  /** The absolute folder written to. */
  dir: string;
  composeFile: string;
  /** Every file written, relative to dir. */
  files: string[];
  /** What was exported: `run <id>` or the template folder. */
  origin: string;
  mode: RunMode;
  ports: Record<string, number>;
}

const MARK = 'Exported by Template Studio';

/**
 * `tstudio compose`: a run (by id) or a template folder, as DIR/docker-compose.yaml plus the launch
 * files it mounts, so that `docker-compose up` in DIR reproduces it without the app.
 */
export async function exportCompose(
  runs: LocalRunService,
  target: string,
  opts: ComposeExportOptions,
  progress?: ProgressReporter,
): Promise<ComposeExportResult> {
  const isPath = await stat(resolve(target))
    .then(() => true)
    .catch(() => false);
  let desc: LaunchDescription;
  if (isPath) {
    desc = await runs.describeLaunch(
      {
        source: resolve(target),
        mode: opts.mode ?? 'ssh',
        template: opts.template,
        workspace: opts.workspace,
        hostPorts: opts.hostPorts,
        buildTag: opts.buildTag,
      },
      progress,
    );
  } else {
    if (!/^[A-Za-z0-9_.-]+$/.test(target))
      throw new AppError('NOT_FOUND', `${target} is neither a folder nor a run id.`);
    desc = await runs.describeRun(target);
    if (opts.mode && opts.mode !== desc.mode)
      throw new AppError(
        'VALIDATION',
        `Run ${target} was made in ${desc.mode} mode; --mode ${opts.mode} applies to a template folder only.`,
      );
  }
  return writeComposeExport(desc, opts.out, { labels: opts.labels });
}

/** Writes the compose file and launch/ beside it; refuses to overwrite a compose file it did not write. */
export async function writeComposeExport(
  desc: LaunchDescription,
  out: string,
  opts: { labels?: Record<string, string> } = {},
): Promise<ComposeExportResult> {
  const dir = resolve(out);
  const composeFile = join(dir, COMPOSE_FILE);
  const existing = await readFile(composeFile, 'utf8').catch(() => null);
  if (existing !== null && !existing.includes(MARK))
    throw new AppError(
      'CONFLICT',
      `${composeFile} exists and was not written by Template Studio; choose another --out folder.`,
    );
  await mkdir(dir, { recursive: true });
  const files: string[] = [COMPOSE_FILE];
  if (desc.launchFiles) {
    await mkdir(join(dir, LAUNCH_DIR), { recursive: true });
    for (const [name, content] of Object.entries(desc.launchFiles)) {
      const path = join(dir, LAUNCH_DIR, name);
      await writeFile(path, content);
      await chmod(path, name.endsWith('.sh') ? 0o755 : 0o644);
      files.push(`${LAUNCH_DIR}/${name}`);
    }
  }
  // The environment holds the run's tokens (CONTAINER_API_KEY, JUPYTER_TOKEN): readable by its owner only.
  await writeFile(composeFile, renderCompose(desc, { labels: opts.labels }), { mode: 0o600 });
  await chmod(composeFile, 0o600);
  return {
    dir,
    composeFile,
    files,
    origin: desc.origin.kind === 'run' ? `run ${desc.origin.id}` : desc.origin.source,
    mode: desc.mode,
    ports: desc.ports,
  };
}
