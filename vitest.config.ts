import { defineConfig } from 'vitest/config';

// One config, four projects. Shared local services start once per run in each
// project's globalSetup (never once per file) and stop when the run ends.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        // Property tests run thousands of cases: generous time on a busy 2-core machine.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/dynamodb.ts'],
          // Repositories sign list cursors with the stage's secret (shared/store/cursor.ts).
          env: { CURSOR_SECRET: 'integration-tests-cursor-secret-0123456789' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/setup/local-cloud.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
