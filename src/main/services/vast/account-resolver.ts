import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VastSandbox, type SandboxOptions } from './sandbox/sandbox-server';
import { resolveBaseUrl } from './vast-http';

/** The account calls go to right now. The key stays in main: only hasKey/sandbox reach the renderer. */
export interface VastConnection {
  apiKey: string;
  baseUrl: string;
  /** True for the bundled sandbox. */
  sandbox: boolean;
  /** True when a real Vast key is configured. */
  hasKey: boolean;
}

/** A key the user may import (with consent), and where it was found, in the vast CLI's order. */
export interface ImportableKey {
  source: 'VAST_API_KEY' | 'file';
  /** The file, when source is `file`. */
  path: string | null;
  key: string;
}

export function findImportableVastKey(
  env: Record<string, string | undefined>,
  home: string,
): ImportableKey | null {
  const fromEnv = env.VAST_API_KEY?.trim();
  if (fromEnv) return { source: 'VAST_API_KEY', path: null, key: fromEnv };
  for (const path of [join(home, '.config', 'vastai', 'vast_api_key'), join(home, '.vast_api_key')]) {
    try {
      const key = readFileSync(path, 'utf8').trim();
      if (key) return { source: 'file', path, key };
    } catch {
      // Not there.
    }
  }
  return null;
}

/**
 * Picks the account for each call: the stored key against VAST_URL (or console.vast.ai), or, when
 * no key is configured, an in-process sandbox started on first use, so a new user can try the
 * whole cloud flow without an account or money. The sandbox lives as long as this resolver.
 */
export class VastAccountResolver {
  private sandbox: VastSandbox | null = null;
  private starting: Promise<VastSandbox> | null = null;

  constructor(
    private readonly options: {
      /** Reads the key from the secret store; null when none is configured. */
      getStoredKey: () => Promise<string | null>;
      /** VAST_URL or --url; console.vast.ai otherwise. */
      baseUrl?: string;
      sandbox?: SandboxOptions;
    },
  ) {}

  async connection(): Promise<VastConnection> {
    const key = await this.options.getStoredKey();
    if (key)
      return { apiKey: key, baseUrl: resolveBaseUrl(this.options.baseUrl), sandbox: false, hasKey: true };
    const sandbox = await this.ensureSandbox();
    return { apiKey: sandbox.apiKey, baseUrl: sandbox.url, sandbox: true, hasKey: false };
  }

  async dispose(): Promise<void> {
    const s = this.sandbox ?? (this.starting ? await this.starting.catch(() => null) : null);
    this.sandbox = null;
    this.starting = null;
    await s?.close();
  }

  private ensureSandbox(): Promise<VastSandbox> {
    if (this.sandbox) return Promise.resolve(this.sandbox);
    this.starting ??= (async () => {
      const s = new VastSandbox(this.options.sandbox);
      await s.start();
      this.sandbox = s;
      return s;
    })();
    return this.starting;
  }
}
