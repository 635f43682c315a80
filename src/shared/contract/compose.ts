import { z } from 'zod';
import { call } from './kit';
import { RunMode } from './runs';

export const ComposeExportInput = z
  .object({
    /** A local run's id, or a template folder (absolute path). */
    target: z.string().min(1).max(4096),
    /** The folder to write docker-compose.yaml and launch/ into (absolute path; made if missing). */
    out: z
      .string()
      .min(1)
      .max(4096)
      .refine((v) => v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v), { message: 'an absolute folder path' }),
    /** For a template folder: the launch mode (a run keeps its own). */
    mode: RunMode.optional(),
    template: z.string().min(1).max(200).optional(),
    /** For a template folder: an absolute path, `volume:NAME` or `none`; left out, the remembered choice. */
    workspace: z.string().min(1).max(4096).optional(),
  })
  .strict();

/** What an export wrote. */
export const ComposeExportResult = z.object({
  dir: z.string(),
  composeFile: z.string(),
  /** Relative to dir: docker-compose.yaml, launch/launch.sh, launch/onstart. */
  files: z.array(z.string()),
  origin: z.string(),
  mode: RunMode,
  /** `{"22/tcp": 40022}`: the host ports (127.0.0.1) the compose file publishes. */
  ports: z.record(z.string(), z.number().int()),
});

export const composeCalls = {
  'compose:export': call(
    ComposeExportInput,
    ComposeExportResult,
    'Write a docker-compose.yaml (and the launch files it mounts) that reproduces a local run, or a run of a template folder, without the app.',
  ),
} as const;
