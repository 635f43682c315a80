import type { accountCalls } from '../../shared/contract/account';
import { AppError } from '../../shared/errors';
import type { DomainHandlers } from '../rpc';
import { SECRET_NAMES, type GuardedSecretStore } from '../services/secrets';
import { VastClient, findImportableVastKey } from '../services/vast';

export interface AccountHandlerDeps {
  secrets: GuardedSecretStore;
  env: Record<string, string | undefined>;
  home: string;
  /** The real Vast server (VAST_URL or the default). */
  vastUrl?: string;
  /** Called after the key changed, so cached connections are dropped. */
  onKeyChanged: () => void;
}

/** Keys and the keychain. Every reply says where a key is, never what it is. */
export function createAccountHandlers(deps: AccountHandlerDeps): DomainHandlers<typeof accountCalls> {
  const storeChecked = async (apiKey: string) => {
    // A wrong key is a clear error now, not a mystery on the first search.
    await new VastClient({ apiKey, baseUrl: deps.vastUrl, attempts: 2, timeoutMs: 20_000 }).currentUser();
    await deps.secrets.set(SECRET_NAMES.vastApiKey, apiKey);
    deps.onKeyChanged();
    return { ok: true as const };
  };
  return {
    'secrets:status': () => deps.secrets.status(),
    'secrets:acceptPlaintext': ({ accept }) => {
      deps.secrets.acceptPlaintext(accept);
      return deps.secrets.status();
    },
    'vast:setKey': ({ apiKey }) => storeChecked(apiKey.trim()),
    'vast:importableKey': () => {
      const found = findImportableVastKey(deps.env, deps.home);
      return found ? { source: found.source, path: found.path, hint: `…${found.key.slice(-4)}` } : null;
    },
    'vast:importKey': () => {
      const found = findImportableVastKey(deps.env, deps.home);
      if (!found)
        throw new AppError(
          'NOT_FOUND',
          'No Vast key to import: VAST_API_KEY is not set and ~/.config/vastai/vast_api_key does not exist.',
        );
      return storeChecked(found.key);
    },
    'registry:setCredentials': async ({ registry, username, password }) => {
      await deps.secrets.set(SECRET_NAMES.registry(registry), JSON.stringify({ username, password }));
      return { ok: true as const };
    },
    'registry:forgetCredentials': async ({ registry }) => {
      await deps.secrets.delete(SECRET_NAMES.registry(registry));
      return { ok: true as const };
    },
    'vast:forgetKey': async () => {
      await deps.secrets.delete(SECRET_NAMES.vastApiKey);
      deps.onKeyChanged();
      return { ok: true as const };
    },
  };
}
