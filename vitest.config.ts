import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.spec.ts', 'src/**/*.spec.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          environment: 'node',
          // Real engine, real sshd: containers take seconds, not milliseconds.
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One engine and two cores: files run one at a time so timings stay meaningful.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'security',
          include: ['test/security/**/*.test.ts'],
          environment: 'node',
          // Some files spawn `tstudio serve` or use the real engine; keep them one at a time on two cores.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'keyring',
          include: ['test/keyring/**/*.test.ts'],
          environment: 'node',
        },
      },
    ],
  },
});
