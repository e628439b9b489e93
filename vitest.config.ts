import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One local stack (DynamoDB Local + HTTP API + stream consumers) for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Handler modules log through Powertools; keep test output readable.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  },
});
