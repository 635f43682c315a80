import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

/**
 * What a line of the launch script's output says (see resources/launch/launch.sh):
 * - `sshd`: sshd listens on 22, so an SSH handshake is worth trying now;
 * - `provisioning-ended`: the script's watcher saw /.provisioning gone under the same rules as the
 *   app's own check (PROVISIONING_DONE_SCRIPT), so that check need not run;
 * - `jupyter-missing` / `jupyter-exited`: in jupyter mode, port 8080 will never answer (no jupyter on
 *   the image's PATH, or it ended), so the wait for it can fail at once with the line's reason.
 */
export type LaunchHint = 'sshd' | 'provisioning-ended' | 'jupyter-missing' | 'jupyter-exited';

const PREFIX = '[tstudio-launch] ';

/** The hint in one line of output (without the engine's timestamp), if any. */
export function hintOf(line: string): LaunchHint | null {
  if (!line.startsWith(PREFIX)) return null;
  const said = line.slice(PREFIX.length);
  if (said.startsWith('sshd listening')) return 'sshd';
  if (said.startsWith('provisioning ended')) return 'provisioning-ended';
  if (said.startsWith('no jupyter in this image')) return 'jupyter-missing';
  if (said.startsWith('jupyter exited')) return 'jupyter-exited';
  return null;
}

export interface LaunchOutputFollower {
  close(): void;
}

/**
 * Follows a run's output and calls `onHint` for the launch script's lines that matter to readiness,
 * and `onEnd` when the output stops (the container stopped). Lines the engine stamped before
 * `notBeforeMs` (a previous start of the same container) are ignored. A follower that cannot be
 * opened ends at once; the readiness checks then fall back on their own timers.
 */
export async function followLaunchOutput(
  docker: Docker,
  containerId: string,
  notBeforeMs: number,
  onHint: (hint: LaunchHint, said: string) => void,
  onEnd: () => void,
): Promise<LaunchOutputFollower> {
  let stream: NodeJS.ReadableStream & { destroy?: () => void };
  try {
    stream = (await docker.getContainer(containerId).logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      since: Math.floor(notBeforeMs / 1000),
    })) as unknown as NodeJS.ReadableStream & { destroy?: () => void };
  } catch {
    onEnd();
    return { close: () => undefined };
  }
  let closed = false;
  const text = new PassThrough();
  // Runs never have a TTY, so the stream is multiplexed (stdout and stderr frames).
  docker.modem.demuxStream(stream, text, text);
  let partial = '';
  text.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const space = line.indexOf(' ');
      // RFC 3339 with nanoseconds; Date.parse takes milliseconds at most.
      const stampedAt = Date.parse(line.slice(0, space).replace(/(\.\d{3})\d*/, '$1'));
      if (!(stampedAt >= notBeforeMs)) continue;
      const said = line.slice(space + 1);
      const hint = hintOf(said);
      if (hint && !closed) onHint(hint, said.slice(PREFIX.length));
    }
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    if (!closed) onEnd();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return {
    close: () => {
      closed = true;
      stream.destroy?.();
    },
  };
}
