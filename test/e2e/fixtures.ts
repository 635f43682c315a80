import { test as base, expect } from '@playwright/test';
import { startServe, type ServeHandle } from '../integration/helpers/cli';

export interface ServeFixtures {
  /** Starts `tstudio serve` with extra environment; stopped after the test. */
  serve: (env?: NodeJS.ProcessEnv) => Promise<ServeHandle>;
}

export const test = base.extend<ServeFixtures>({
  // Playwright reads the fixture's dependencies from this destructuring; this one has none.
  // eslint-disable-next-line no-empty-pattern
  serve: async ({}, use) => {
    const started: ServeHandle[] = [];
    await use(async (env = {}) => {
      const s = await startServe(env);
      started.push(s);
      return s;
    });
    await Promise.all(started.map((s) => s.stop()));
  },
});

export { expect };
