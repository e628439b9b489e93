import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Test projects, so that only the tests that talk to the shared local stack start it:
 *
 * - `unit` and `unit-isolated`: test/unit and the console's component tests (test/web, jsdom
 *   per file via `@vitest-environment`); no stack, no Java
 *   (`npx vitest run --project 'unit*'`).
 * - `infra`: CDK synth and bundle checks; no stack.
 * - `standalone`: tests that start stacks of their own (the OWASP checks with `--auth`, the
 *   quick benchmark with its in-process stack); no shared stack.
 * - `integration`: everything that reads `inject('stack')` (test/support/api.ts, ws.ts) and
 *   so needs the one shared local stack (DynamoDB Local + HTTP/WebSocket API + stream
 *   consumers) that test/support/global-setup.ts starts for the run, Java included.
 *
 * A project's global setup runs only when one of its files runs, so `vitest run test/unit`
 * starts no Java either. `vitest run` (npm test) runs every project.
 */
/**
 * Unit files that need a process of their own: a jsdom environment (`@vitest-environment`) or
 * a mocked module (`vi.mock`), which a shared module cache would defeat. Read from the files,
 * so a new one of either kind cannot end up sharing a process.
 */
const ISOLATED_UNIT_TESTS = ['test/unit', 'test/web'].flatMap((dir) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file))
    .filter(
      (file) =>
        /\.test\.tsx?$/.test(file) &&
        !file.endsWith('.browser.test.ts') &&
        /@vitest-environment|\bvi\.mock\(/.test(readFileSync(file, 'utf8')),
    ),
);
/** Real-browser tests of the console: they drive the shared stack. */
const BROWSER_TESTS = 'test/web/**/*.browser.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for a condition and returns as soon as it holds; its 1 s default is
    // shorter than a debounced render under a fully loaded 2-core run.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Two files at a time (vitest's default here is cores − 1 = 1): most files wait on streams,
    // sockets and child stacks rather than compute, and every file that shares the stack keeps
    // to its own instances and topics, so two overlap safely and the suite takes ~40% less.
    maxWorkers: 2,
    // Handler modules log JSON lines (shared/log.ts reads the Powertools level); keep test output readable.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/web/**/*.test.ts', 'test/web/**/*.test.tsx'],
          exclude: [...configDefaults.exclude, BROWSER_TESTS, ...ISOLATED_UNIT_TESTS],
          // One process runs many of these files in turn: each would otherwise pay a fresh
          // process and a fresh import of zod, the SDK and the handlers (most of their time).
          // None mocks a module, and each restores the SDK stubs it sets (afterAll), so no file
          // sees another's leftovers.
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'unit-isolated', include: ISOLATED_UNIT_TESTS },
      },
      {
        extends: true,
        // Each file builds its own CDK app; sharing one process spares re-importing aws-cdk-lib.
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'standalone',
          include: ['test/security/**/*.test.ts', 'test/bench/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', BROWSER_TESTS],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
