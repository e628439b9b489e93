import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // .tsx: the console's component tests (test/web/, jsdom per file via @vitest-environment).
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // One local stack (DynamoDB Local + HTTP API + stream consumers) for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Handler modules log through Powertools; keep test output readable.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
