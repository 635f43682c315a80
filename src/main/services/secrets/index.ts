export type { SecretStore, SecretStoreStatus } from './secret-store';
export { SECRET_NAMES } from './secret-store';
export { KeychainSecretStore } from './keychain-store';
export { PlaintextFileSecretStore } from './plaintext-store';
export { GuardedSecretStore } from './guarded-store';
export type { KeychainLike } from './guarded-store';
export { MemorySecretStore } from './memory-store';
