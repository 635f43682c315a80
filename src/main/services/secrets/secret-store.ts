/** Where secrets live. Only main holds one; nothing it returns ever crosses to a renderer. */
export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Secret names the app uses; one place so nothing is stored under a stray name. */
export const SECRET_NAMES = {
  vastApiKey: 'vast-api-key',
  /** JSON {username, password} entered in the app for one registry host. */
  registry: (registry: string) => `registry:${registry}`,
} as const;

export interface SecretStoreStatus {
  /** `keychain`: the OS keychain. `plaintext`: a 0600 file the user explicitly accepted. `none`: nothing can be stored. */
  backend: 'keychain' | 'plaintext' | 'none';
  /** Shown to the user when not `keychain`. */
  warning: string | null;
}
