import { join } from 'node:path';
import { createApp, type App, type AppConfig } from '../../../src/main/app';
import { dispatch } from '../../../src/main/rpc';
import { GuardedSecretStore, MemorySecretStore } from '../../../src/main/services/secrets';
import type { CallInput, CallName, CallOutput } from '../../../src/shared/contract';

/** A composition root in a temp folder, with secrets in memory and the engine where the test says. */
export function testApp(tmp: string, dockerSocket: string, extra: Partial<AppConfig> = {}): App {
  const dataDir = join(tmp, 'data');
  return createApp({
    shell: 'browser',
    dataDir,
    home: join(tmp, 'home'),
    env: { PATH: process.env.PATH },
    dockerEndpoint: { url: `unix://${dockerSocket}`, source: 'DOCKER_HOST', context: null, reason: 'test' },
    secrets: new GuardedSecretStore(new MemorySecretStore(), dataDir),
    engineRetryMs: 200,
    ...extra,
  });
}

/** Calls through the same boundary the shells use, and unwraps the Result (throws its error). */
export async function call<K extends CallName>(
  app: App,
  name: K,
  input: CallInput<K>,
): Promise<CallOutput<K>> {
  const result = await dispatch(app.handlers, name, input);
  if (!result.ok)
    throw Object.assign(new Error(`${name}: ${result.error.code} ${result.error.message}`), result.error);
  return result.value as CallOutput<K>;
}

/** Polls until check() returns something truthy, or fails with what it was waiting for. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
