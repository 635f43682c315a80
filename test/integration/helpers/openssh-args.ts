/**
 * The stock OpenSSH client's arguments for logging into a throwaway test container with the app's
 * key: no prompt about its host key (new on every run), nothing remembered, no password fallback.
 */
export const THROWAWAY_HOST_OPTIONS = [
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  'LogLevel=ERROR',
] as const;

/** `-i KEY -p PORT` plus the throwaway-host options, ready for `ssh … root@127.0.0.1 CMD`. */
export function opensshArgs(identityFile: string, port: number, extra: readonly string[] = []): string[] {
  return ['-i', identityFile, '-p', String(port), ...THROWAWAY_HOST_OPTIONS, ...extra];
}
