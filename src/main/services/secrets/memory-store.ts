import type { SecretStore } from './secret-store';

/** Keeps secrets in memory only: for tests and for one-off CLI runs given a key on the command line. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
  async works(): Promise<boolean> {
    return true;
  }
}
