/** What a push authenticates with. */
export type RegistryAuth = { username: string; password: string } | { identityToken: string };

export type CredentialSource = 'app' | 'docker-config' | 'credential-helper' | 'none';

export interface ResolvedCredentials {
  auth: RegistryAuth | null;
  source: CredentialSource;
  /** Said to the user when the credentials turn out wrong: where to fix them. */
  origin: string;
}
