import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type Docker from 'dockerode';
import { AppError } from '../../../shared/errors';

/** Where a run's workspace lives: a folder on the engine's host, or a named Docker volume. */
export type WorkspaceSpec = { kind: 'host'; path: string } | { kind: 'volume'; name: string };

/** A run's workspace as its label records it (and as RunInfo shows it). */
export interface RunWorkspace {
  kind: 'host' | 'volume';
  /** The host folder, or the volume's name. */
  source: string;
  /** WORKSPACE inside the container. */
  target: string;
  /** What happened to the ACL for the host user (`applied for uid 1000`, `skipped: SKIP_ACL=true`…). */
  acl: string;
}

const VOLUME_PREFIX = 'volume:';
/** Docker's own rule for volume names. */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
export const DEFAULT_WORKSPACE = '/workspace';

/** `volume:NAME` or an absolute folder path; `none` is handled by the caller. */
export function parseWorkspaceSpec(text: string): WorkspaceSpec {
  const value = text.trim();
  if (value.startsWith(VOLUME_PREFIX)) {
    const name = value.slice(VOLUME_PREFIX.length);
    if (!VOLUME_NAME.test(name))
      throw new AppError(
        'VALIDATION',
        `"${name}" is not a Docker volume name: use letters, digits, _ . and -, starting with a letter or digit (volume:my-workspace).`,
      );
    return { kind: 'volume', name };
  }
  if (!isAbsolute(value))
    throw new AppError(
      'VALIDATION',
      `The workspace "${value}" must be an absolute folder path or volume:NAME (a relative path would depend on where the app was started).`,
    );
  return { kind: 'host', path: resolve(value) };
}

export function formatWorkspaceSpec(spec: WorkspaceSpec): string {
  return spec.kind === 'volume' ? `${VOLUME_PREFIX}${spec.name}` : spec.path;
}

/** An image's `ENV` list as a record (later entries win, as Docker applies them). */
export function envRecord(list: readonly string[] | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/**
 * WORKSPACE as the container will see it: the user's env, then the template's, then the image's ENV,
 * then vastai/base-image's default. A trailing slash is dropped so the mount target is canonical.
 */
export function workspaceTarget(...envs: (Record<string, string> | undefined)[]): string {
  for (const env of envs) {
    const value = env?.WORKSPACE?.trim();
    if (value && value.startsWith('/')) return value.length > 1 ? value.replace(/\/+$/, '') : value;
  }
  return DEFAULT_WORKSPACE;
}

/** ai-dock's switch: SKIP_ACL=true leaves the folder's permissions alone. */
export function aclSkipped(...envs: (Record<string, string> | undefined)[]): boolean {
  for (const env of envs) {
    const value = env?.SKIP_ACL;
    if (value !== undefined) return value.trim().toLowerCase() === 'true';
  }
  return false;
}

/** The Docker mount for a workspace; a missing host folder is made by the app (owned by its user, not root). */
export async function prepareWorkspaceMount(
  docker: Docker,
  spec: WorkspaceSpec,
  target: string,
  labels: Record<string, string>,
): Promise<Docker.MountSettings> {
  if (spec.kind === 'host') {
    const found = await stat(spec.path).catch(() => null);
    if (found && !found.isDirectory())
      throw new AppError(
        'VALIDATION',
        `The workspace ${spec.path} is a file, not a folder. Choose a folder.`,
      );
    if (!found) {
      // Left to Docker, a missing bind source would be made by the engine as root.
      await mkdir(spec.path, { recursive: true }).catch((err: unknown) => {
        throw new AppError(
          'IO',
          `Could not create the workspace folder ${spec.path}: ${(err as Error).message}. Create it yourself or choose another.`,
        );
      });
    }
    return { Type: 'bind', Source: spec.path, Target: target };
  }
  const exists = await docker
    .getVolume(spec.name)
    .inspect()
    .then(() => true)
    .catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode === 404) return false;
      throw new AppError(
        'DOCKER_ERROR',
        `Could not inspect the volume ${spec.name}: ${(err as Error).message}`,
      );
    });
  if (!exists) {
    // Made here rather than implicitly by create, so it carries the app's labels (tests find theirs).
    await docker.createVolume({ Name: spec.name, Labels: { ...labels, 'tstudio.workspace': '1' } });
  }
  return { Type: 'volume', Source: spec.name, Target: target };
}

/*
 * The ACL is set from a throwaway container of the run's own image, not by the app on the host:
 * the folder is a path on the ENGINE's host (the same machine only for a local socket), the image's
 * root can set it on files any earlier run left there, the host need not have setfacl installed, and
 * it happens before the run's first process, so the first-boot sync already inherits it in every
 * launch mode (args mode has no /.launch to do it in). $1 is a uid, or `owner` for the folder's owner.
 * Exit 3: no setfacl in the image; 4: the folder belongs to root, which needs no ACL.
 */
export const WORKSPACE_ACL_SCRIPT = [
  'uid="$1"',
  '[ "$uid" = owner ] && uid="$(stat -c %u /tstudio-acl)"',
  '[ "$uid" = 0 ] && exit 4',
  'command -v setfacl >/dev/null 2>&1 || exit 3',
  'setfacl -R -d -m "u:$uid:rwx" /tstudio-acl && setfacl -R -m "u:$uid:rwx" /tstudio-acl || exit 5',
  'echo "$uid"',
].join('\n');

/**
 * ai-dock's approach: a default ACL (and an access ACL on what is there) for the host user's uid on
 * the workspace folder, so files the container's root creates stay readable and writable by the user.
 * Returns what happened, for the run's label and a warning when it could not be done.
 */
export async function applyWorkspaceAcl(
  docker: Docker,
  image: string,
  path: string,
  opts: { uid?: number; labels: Record<string, string> },
): Promise<{ applied: boolean; note: string }> {
  // Running as root, "the host user" is whoever owns the folder (as ai-dock's WORKSPACE_UID default).
  const uid = opts.uid !== undefined && opts.uid !== 0 ? String(opts.uid) : 'owner';
  let container: Docker.Container | null = null;
  try {
    container = await docker.createContainer({
      Image: image,
      User: '0',
      Entrypoint: ['/bin/sh', '-c', WORKSPACE_ACL_SCRIPT, 'sh'],
      Cmd: [uid],
      Labels: { ...opts.labels, 'tstudio.workspace-acl': '1' },
      NetworkDisabled: true,
      HostConfig: { Mounts: [{ Type: 'bind', Source: path, Target: '/tstudio-acl' }] },
    });
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    const output = await container
      .logs({ stdout: true, stderr: true, follow: false })
      .then((b) => demuxText(b as unknown as Buffer))
      .catch(() => '');
    switch (result.StatusCode) {
      case 0:
        return { applied: true, note: `applied for uid ${output.trim().split('\n').pop() ?? uid}` };
      case 3:
        return {
          applied: false,
          note: `not applied: the image ${image} has no setfacl (install the acl package)`,
        };
      case 4:
        return { applied: false, note: 'skipped: the folder belongs to root' };
      default:
        return {
          applied: false,
          note: `not applied: setfacl failed (${output.trim().slice(-300) || `exit ${result.StatusCode}`}); the file system may not support ACLs`,
        };
    }
  } catch (err) {
    return { applied: false, note: `not applied: ${(err as Error).message.trim()}` };
  } finally {
    await container?.remove({ force: true }).catch(() => undefined);
  }
}

function demuxText(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
