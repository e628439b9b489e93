/**
 * A restart of the local stack does not lose a running operation: `npm start` with a data
 * folder is stopped (SIGTERM) in the middle of a bulk update and started again; the stream
 * poller resumes from its persisted checkpoint, the operation's last checkpoint triggers the
 * next chunk, and the operation finishes with every instance changed exactly once.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { mapBounded } from '../../shared/aws/concurrency.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { spawnStack, type SpawnedStack } from '../support/spawn-stack.ts';
import { eventually } from '../support/api.ts';

/** 4 chunks: a graceful stop finishes the chunk in flight, so the restart lands mid-run. */
const N = 400;

const repoOf = (s: SpawnedStack) =>
  new InstanceRepository(
    createDocumentClient(new DynamoDBClient({ endpoint: s.info.dynamodb, ...LOCAL_AWS })),
    { instances: s.info.tables.instances, meta: s.info.tables.meta },
  );

const getOp = async (s: SpawnedStack, id: string) =>
  (await fetch(`${s.info.url}/api/operations/${id}`)).json() as Promise<Record<string, any>>;

describe('operations across a restart', () => {
  it('resumes a running bulk update after the stack restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ii-ops-restart-'));
    let stack: SpawnedStack | undefined = await spawnStack(['--data-dir', dataDir]);
    try {
      // Prepare: N instances, written straight to the stack's DynamoDB (fast).
      const repo = repoOf(stack);
      const ids = (
        await mapBounded(
          Array.from({ length: N }, (_, i) => i),
          16,
          (i) =>
            repo.create(
              createInstanceSchema.parse({
                name: `restart-${i}`,
                model_name: 'm',
                cluster_name: 'restart',
                image_tag: 't',
              }),
              { actor: 'seed', opId: 'seed' },
            ),
        )
      ).map((i) => i.id);
      const res = await fetch(`${stack.info.url}/api/operations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'bulk-update', ids, data: { replicas: 9 } }),
      });
      const { operation_id } = (await res.json()) as { operation_id: string };

      // Act: stop the stack as soon as the operation is under way, then start it again.
      const before = await eventually(
        async () => {
          const op = await getOp(stack!, operation_id);
          return op.status === 'running' && op.processed > 0 ? op : undefined;
        },
        60_000,
        20,
      );
      expect(await stack.stop()).toBe(0);
      const stopped = stack;
      stack = undefined;
      const again = await spawnStack(['--data-dir', dataDir]);
      stack = again;
      const atRestart = await getOp(again, operation_id);
      const done = await eventually(
        async () => {
          const op = await getOp(again, operation_id);
          return ['succeeded', 'partially_succeeded', 'failed'].includes(op.status)
            ? op
            : undefined;
        },
        120_000,
        200,
      );

      // Assess: it was still running when the stack went down, and it finished after.
      expect(before.processed).toBeLessThan(N);
      expect(stopped).toBeDefined();
      expect(atRestart).toMatchObject({ status: 'running' });
      expect(atRestart.processed).toBeLessThan(N);
      expect(done).toMatchObject({
        status: 'succeeded',
        total: N,
        processed: N,
        succeeded: N,
        result: { counts: { updated: N } },
      });
      const after = await repoOf(again).getMany(ids);
      expect(after.filter((i) => i.version === 2 && i.replicas === 9)).toHaveLength(N);
    } finally {
      await stack?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
