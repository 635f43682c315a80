/**
 * A build whose FROM image is neither on the engine nor pullable fails deep in the engine's words
 * ("load metadata for docker.io/…: no such host", "pull access denied for …"). This names the image
 * and the way to get it. The project's own offline base (tstudio/base, which the demo template and
 * new users' first build need) is made by a script, not pulled, so its fix says so.
 */
export const BASE_IMAGE_SCRIPT = 'sudo bash scripts/build-base-image.sh';

/** The image the failed step was fetching, when the failure is a missing base image; else null. */
export function missingBaseImage(step: string | null, message: string): string | null {
  // BuildKit: the failed vertex is "[internal] load metadata for docker.io/REPO:TAG".
  const metadata = /^\[internal\] load metadata for (\S+)/.exec(step ?? '');
  if (metadata?.[1]) return withoutDockerHubPrefix(metadata[1]);
  // The classic builder: the FROM step fails with the registry's answer.
  const denied = /pull access denied for ([^\s,]+)/.exec(message);
  if (denied?.[1]) return withoutDockerHubPrefix(denied[1]);
  // Its step is named by the instruction (`FROM ref`), or by the raw `Step n/N : FROM ref` line.
  const from = /^(?:Step \d+\/\d+ : )?FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(step ?? '');
  if (from?.[1] && /manifest|not found|no such host|dial tcp|pull/i.test(message))
    return withoutDockerHubPrefix(from[1]);
  return null;
}

/** What to do about a missing base image, to put before the engine's own words. */
export function missingBaseAdvice(image: string): string {
  if (/^tstudio\/base(?::|$)/.test(image)) {
    return `The base image ${image} is not on this engine. It is Template Studio's offline Debian base, made rather than pulled: run \`${BASE_IMAGE_SCRIPT}\` once (debootstrap, about 2 minutes), then build again.`;
  }
  return `The base image ${image} is not on this engine and could not be pulled. Check its name and tag, pull it (docker pull ${image}) or build it first, then build again.`;
}

function withoutDockerHubPrefix(ref: string): string {
  return ref.replace(/^docker\.io\/(library\/)?/, '');
}
