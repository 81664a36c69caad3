import { defineConfig } from 'vitest/config';

/**
 * Test tiers are named in the file name (see DEVELOPERS.md):
 * `*.test.ts` unit, `*.int.test.ts` real server + real providers,
 * `*.pg.test.ts` / `*.redis.test.ts` need those services, `*.e2e.test.ts` real Chromium.
 * End-to-end files run one at a time: each drives a browser and a server on 2 cores.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['schema/**/*.test.ts', 'sync-server/**/*.test.ts', 'client/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.e2e.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/buildClient.ts'],
          setupFiles: ['test/e2e/failureReport.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
