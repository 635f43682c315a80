import { homedir } from 'node:os';
import type { SshTargetResolver } from '../handlers/ssh';
import { createTargetResolver } from '../target-resolver';
import { findImportableVastKey } from '../services/vast';
import { createLocalRunsContext } from './commands/run';

/**
 * How the CLI turns a run id or a Vast instance id into an SSH target: the same resolver as the app,
 * with the Vast key found the way the vast CLI finds it (VAST_API_KEY, then its key file) and
 * VAST_URL for the server.
 */
export function cliTargetResolver(env: Record<string, string | undefined> = process.env): SshTargetResolver {
  let resolver: Promise<SshTargetResolver> | null = null;
  return async (ref, signal) => {
    resolver ??= createLocalRunsContext(env).then(({ runs }) => {
      const key = findImportableVastKey(env, homedir());
      return createTargetResolver({
        runs,
        vast: key
          ? async () => ({
              apiKey: key.key,
              baseUrl: env.VAST_URL || 'https://console.vast.ai',
              sandbox: false,
              hasKey: true,
            })
          : undefined,
      });
    });
    return (await resolver)(ref, signal);
  };
}
