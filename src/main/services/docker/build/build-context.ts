import { join } from 'node:path';
import { access } from 'node:fs/promises';
import { pack } from 'tar-fs';
import { AppError } from '../../../../shared/errors';
import { dockerfileInContext, listContextEntries, type ContextListing } from './context-files';

export interface PackedContext {
  tar: NodeJS.ReadableStream;
  listing: ContextListing;
  /** The Dockerfile as the engine must be told (relative to the context, forward slashes). */
  dockerfile: string;
}

/**
 * The build context as the docker CLI sends it: the listed entries only (so an ignored folder is
 * never read), owned by root like the CLI's ChownOpts, modes exactly as on disk (no umask: tar-fs
 * would otherwise clear group/other bits the CLI keeps).
 */
export async function packBuildContext(contextDir: string, dockerfile: string): Promise<PackedContext> {
  const relDockerfile = dockerfileInContext(contextDir, dockerfile);
  try {
    await access(join(contextDir, relDockerfile));
  } catch {
    throw new AppError(
      'BUILD_FAILED',
      `There is no ${relDockerfile} in ${contextDir}. Create it, or choose the Dockerfile to build.`,
    );
  }
  const listing = await listContextEntries(contextDir, relDockerfile);
  const tar = pack(contextDir, {
    entries: listing.entries,
    // Every entry is listed by itself, folders included: never descend on tar-fs's own.
    ignore: () => true,
    umask: 0,
    map: (header) => ({ ...header, uid: 0, gid: 0, uname: '', gname: '' }),
  } as Parameters<typeof pack>[1]);
  return { tar: tar as unknown as NodeJS.ReadableStream, listing, dockerfile: relDockerfile };
}
