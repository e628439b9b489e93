/**
 * The migration handler's passes (functions/migrate/name-claims.ts): instances that changed
 * during a pass are left for the next, a bounded number of passes, and what still moves after
 * them is reported, not thrown (a throw would roll the whole deploy back). The migration itself
 * runs against DynamoDB Local in test/integration/text-names.test.ts and local-stack.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NameClaimMigration } from '../../shared/repo/name-claim-migration.ts';
import { TABLE_ENV } from '../../shared/config/table-env.ts';

const passes = vi.hoisted(() => [] as NameClaimMigration[]);
vi.mock('../../shared/repo/name-claim-migration.ts', () => ({
  migrateNameClaims: vi.fn(async () => {
    const next = passes.shift();
    if (!next) throw new Error('more passes than the test planned');
    return next;
  }),
}));

const pass = (p: Partial<NameClaimMigration>): NameClaimMigration => ({
  migrated: 0,
  collisions: [],
  retry: [],
  ...p,
});

async function run() {
  const { handler } = await import('../../functions/migrate/name-claims.ts');
  return handler();
}

describe('the name-claims migration handler', () => {
  let stderr: string[];
  beforeEach(() => {
    vi.stubEnv(TABLE_ENV.instances, 'instances');
    vi.stubEnv(TABLE_ENV.meta, 'meta');
    // The suite silences logs (vitest.config.ts); these tests read the warning.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'WARN');
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
      stderr.push(String(line));
      return true;
    });
  });
  afterEach(() => {
    passes.length = 0;
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('passes again while instances changed under it, adding up what each pass moved', async () => {
    const collision = { id: 7, name: 'САТ', existing_id: 3 };
    passes.push(
      pass({ migrated: 4, retry: [1, 2], collisions: [collision] }),
      pass({ migrated: 1, retry: [2], collisions: [collision] }),
      pass({ migrated: 1, collisions: [collision] }),
    );
    const result = await run();
    expect(result).toEqual({ migrated: 6, collisions: [collision], unsettled: [], passes: 3 });
    expect(passes).toEqual([]);
    // Look-alike pairs are for an operator to resolve: a warning names them.
    expect(stderr.join('')).toContain('"existing_id":3');
  });

  it('stops after five passes and reports what still moves instead of failing the deploy', async () => {
    for (let i = 0; i < 6; i++) passes.push(pass({ migrated: 1, retry: [9] }));
    const result = await run();
    expect(result).toEqual({ migrated: 5, collisions: [], unsettled: [9], passes: 5 });
    expect(passes).toHaveLength(1);
    expect(JSON.parse(stderr.join('').trim())).toMatchObject({
      level: 'WARN',
      unsettled: [9],
    });
  });
});
