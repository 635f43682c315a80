import { z } from 'zod';
import { call, Done, NoInput } from './kit';

export const SecretStoreStatus = z.object({
  /** `keychain`: the OS keychain; `plaintext`: a private file the user accepted; `none`: nothing can be stored. */
  backend: z.enum(['keychain', 'plaintext', 'none']),
  warning: z.string().nullable(),
});

/** Where a Vast key could be imported from, without the key itself. */
export const ImportableKeySource = z.object({
  source: z.enum(['VAST_API_KEY', 'file']),
  /** The file, for `file`. */
  path: z.string().nullable(),
  /** The last four characters, so the user can recognise it. */
  hint: z.string(),
});

export const accountCalls = {
  'secrets:status': call(
    NoInput,
    SecretStoreStatus,
    'Where secrets are kept, and a warning when it is not the OS keychain.',
  ),
  'secrets:acceptPlaintext': call(
    z.object({ accept: z.boolean() }).strict(),
    SecretStoreStatus,
    "The user's explicit yes (or no) to keeping secrets in a private file when no OS keychain works.",
  ),
  'vast:setKey': call(
    z.object({ apiKey: z.string().min(8).max(512) }).strict(),
    Done,
    'Check a Vast API key with the current-user call, then keep it in the OS keychain. The key never comes back.',
  ),
  'vast:importableKey': call(
    NoInput,
    ImportableKeySource.nullable(),
    "A key the vast CLI already has (VAST_API_KEY or ~/.config/vastai/vast_api_key), offered for import with the user's consent.",
  ),
  'vast:importKey': call(
    NoInput,
    Done,
    'Import the key vast:importableKey found (after the user agreed), checked first.',
  ),
  'registry:setCredentials': call(
    z
      .object({
        registry: z.string().min(1).max(255),
        username: z.string().min(1).max(255),
        password: z.string().min(1).max(4096),
      })
      .strict(),
    Done,
    'Keep credentials for a registry host in the OS keychain; pushes check them against the registry first.',
  ),
  'registry:forgetCredentials': call(
    z.object({ registry: z.string().min(1).max(255) }).strict(),
    Done,
    "Remove a registry's credentials from the keychain.",
  ),
  'vast:forgetKey': call(
    NoInput,
    Done,
    'Remove the Vast key from the keychain; the app goes back to the sandbox.',
  ),
} as const;
