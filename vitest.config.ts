import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One config, four projects. Shared local services start once per run in each
// project's globalSetup (never once per file) and stop when the run ends.
//
// Vitest runs the unit, integration and infra files together, and the e2e files (one at a
// time: fileParallelism false) after them. Its default of one worker less than the cores
// would run the first three one file at a time on a 2-core machine; two workers there keep
// both cores busy (machines with more cores keep the default).
export default defineConfig({
  test: {
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
