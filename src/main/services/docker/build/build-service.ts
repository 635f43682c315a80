import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type Docker from 'dockerode';
import {
  BuildParams,
  type BuildParamsInput,
  type BuildRecordData,
  type BuildResultData,
  type BuildStepData,
  type DockerfileArgData,
  type DockerfileStageData,
} from '../../../../shared/contract/builds';
import { AppError } from '../../../../shared/errors';
import type { OperationManager } from '../../operations/index';
import { BuildHistory, type LogPage } from './build-history';
import { runBuild } from './build-runner';
import { dockerfileInContext } from './context-files';
import { outlineDockerfile } from './dockerfile-args';
import { RememberedBuildArgs } from './remembered-args';

export interface BuildServiceOptions {
  docker: Docker;
  operations: OperationManager;
  /** The app's data folder; builds live in <dataDir>/builds. */
  dataDir: string;
  /** A history record was written (a build started or ended). */
  onHistoryChanged?: (record: BuildRecordData) => void;
  env?: Record<string, string | undefined>;
  /** Builds kept in the history. */
  historyLimit?: number;
}

export interface StartedBuild {
  operationId: string;
  /** Settles with the result, or rejects with the AppError the operation ended with. */
  done: Promise<BuildResultData>;
}

/** Builds as operations, their history and logs on disk, and the build form's ARGs. */
export class BuildService {
  readonly history: BuildHistory;
  private readonly remembered: RememberedBuildArgs;

  constructor(private readonly options: BuildServiceOptions) {
    const dir = join(options.dataDir, 'builds');
    this.history = new BuildHistory(dir, options.historyLimit ?? 200);
    this.remembered = new RememberedBuildArgs(join(dir, 'remembered-args.json'));
  }

  start(input: BuildParamsInput): StartedBuild {
    const params = BuildParams.parse({ ...input, contextDir: resolve(input.contextDir) });
    const { operations, docker } = this.options;
    const title = `Build ${params.tags[0] ?? basename(params.contextDir)}`;
    const { id, done } = operations.start<BuildResultData>({
      kind: 'build',
      title,
      work: async (ctx) => {
        const steps = new Map<number, BuildStepData>();
        const record: BuildRecordData = {
          id: ctx.id,
          params,
          builder: null,
          outcome: 'running',
          startedAt: Date.now(),
          endedAt: null,
          durationMs: null,
          imageId: null,
          sizeBytes: null,
          steps: [],
          error: null,
          logBytes: 0,
        };
        await this.save(record);
        await this.remembered.remember(params.contextDir, params.buildArgs).catch(() => undefined);
        const log = this.history.openLog(ctx.id);
        let outcome: AppError | null = null;
        let result: BuildResultData | null = null;
        try {
          result = await runBuild(docker, params, {
            signal: ctx.signal,
            env: this.options.env,
            onStarted: ({ builder, contextBytes }) => {
              record.builder = builder;
              ctx.emit('build:started', { builder, params, contextBytes });
            },
            sink: {
              stepChanged: (step, totalSteps) => {
                steps.set(step.index, step);
                ctx.emit('build:stepChanged', { step, totalSteps });
              },
              logged: (segments) => {
                ctx.emit('build:logged', { segments });
                for (const segment of segments) log.write(segment.text);
              },
            },
          });
          ctx.emit('build:imageBuilt', result);
          Object.assign(record, {
            outcome: 'succeeded',
            imageId: result.imageId,
            sizeBytes: result.sizeBytes,
          });
        } catch (err) {
          const error = AppError.from(err);
          const cancelled = ctx.signal.aborted || error.code === 'CANCELLED';
          record.outcome = cancelled ? 'cancelled' : 'failed';
          outcome = cancelled ? new AppError('CANCELLED', 'The build was cancelled.') : error;
          record.error = outcome.toData();
        }
        record.endedAt = Date.now();
        record.durationMs = record.endedAt - record.startedAt;
        record.steps = [...steps.values()].sort((a, b) => a.index - b.index);
        // Nothing is lost silently: a build whose log or history could not be written says so.
        let logProblem: string | null = null;
        record.logBytes = await log.close().catch((err: unknown) => {
          logProblem = err instanceof Error ? err.message : String(err);
          return 0;
        });
        if (logProblem && !outcome) {
          outcome = new AppError(
            'IO',
            `The image was built, but its log could not be written to disk (${logProblem}). Free some disk space; the image itself is fine.`,
          );
          record.outcome = 'failed';
          record.error = outcome.toData();
        }
        const saveProblem = await this.save(record);
        if (saveProblem && !outcome) {
          outcome = new AppError(
            'IO',
            `The image was built, but the build history could not be saved (${saveProblem}). Free some disk space.`,
          );
        }
        if (outcome) throw outcome;
        return result!;
      },
    });
    return { operationId: id, done };
  }

  /** Starts a new build with the parameters of one in the history. */
  async rerun(id: string): Promise<StartedBuild> {
    const record = await this.history.get(id);
    return this.start(record.params);
  }

  cancel(id: string): void {
    this.options.operations.cancel(id);
  }

  list(limit?: number): Promise<BuildRecordData[]> {
    return this.history.list(limit);
  }

  readLog(id: string, offset: number, limit: number): Promise<LogPage> {
    return this.history.readLog(id, offset, limit);
  }

  /** The Dockerfile's ARGs (with defaults) and stages, and the values this folder was last built with. */
  async args(
    contextDir: string,
    dockerfile = 'Dockerfile',
  ): Promise<{
    args: DockerfileArgData[];
    stages: DockerfileStageData[];
    remembered: Record<string, string>;
  }> {
    const dir = resolve(contextDir);
    const path = join(dir, dockerfileInContext(dir, dockerfile));
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new AppError('IO', `Cannot read ${path}: ${(err as Error).message}`);
    }
    return { ...outlineDockerfile(text), remembered: await this.remembered.get(dir) };
  }

  /** Stores a history record; returns what went wrong, or null. Never throws: the build goes on. */
  private async save(record: BuildRecordData): Promise<string | null> {
    try {
      const stored = await this.history.put(record);
      this.options.onHistoryChanged?.(stored);
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }
}
