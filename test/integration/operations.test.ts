/**
 * Long-running operations against the local stack (SPEC §8): the HTTP routes, the stream-driven
 * worker, WebSocket progress and exports through presigned S3 URLs.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { mapBounded } from '../../shared/aws/concurrency.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { api, createInstance, eventually, stack } from '../support/api.ts';
import { connect } from '../support/ws.ts';

const TERMINAL = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];
const doc = () =>
  createDocumentClient(new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS }));
const tables = () => stack().tables as unknown as Record<string, string>;

async function finished(id: string, timeoutMs = 90_000) {
  return eventually(
    async () => {
      const res = await api('GET', `/api/operations/${id}`);
      return TERMINAL.includes(res.body?.status) ? res.body : undefined;
    },
    timeoutMs,
    200,
  );
}

async function createMany(n: number, overrides: Record<string, unknown>) {
  const made = await mapBounded(
    Array.from({ length: n }, (_, i) => i),
    8,
    (i) => createInstance({ ...overrides, name: `${overrides.cluster_name}-${i}` }),
  );
  return made.map((i) => i.id);
}

async function historyOf(id: number) {
  const res = await doc().send(
    new QueryCommand({
      TableName: tables().history,
      KeyConditionExpression: 'instance_id = :id',
      ExpressionAttributeValues: { ':id': id },
    }),
  );
  return res.Items ?? [];
}

describe('POST /api/operations bulk-update', () => {
  it('updates every instance a filter matches exactly once, with progress over the WebSocket', async () => {
    // Prepare: 300 pending instances on a cluster of their own, and some that do not match.
    const cluster = `ops-${randomUUID().slice(0, 8)}`;
    const ids = await createMany(300, { cluster_name: cluster, status: 'pending' });
    const others = await createMany(5, { cluster_name: `${cluster}-x`, status: 'pending' });
    const client = await connect();

    // Act
    const res = await api('POST', '/api/operations', {
      type: 'bulk-update',
      filter: { status: 'pending', cluster_name: cluster },
      data: { replicas: 4 },
    });
    client.send({ action: 'subscribe', topics: [`operation:${res.body.operation_id}`] });

    // Assess: accepted at once…
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/api/operations/${res.body.operation_id}`);
    expect(res.body).toMatchObject({ type: 'bulk-update', status: 'pending', total: 300 });
    // …finishes…
    const done = await finished(res.body.operation_id);
    expect(done).toMatchObject({
      status: 'succeeded',
      progress: 100,
      total: 300,
      processed: 300,
      succeeded: 300,
      failed: 0,
      errors: [],
      actor: 'local-dev',
      result: { counts: { updated: 300 } },
    });
    // …each instance once: one new version, one history record carrying the operation id.
    await mapBounded(ids, 10, async (id) => {
      const item = (
        await doc().send(new GetCommand({ TableName: tables().instances, Key: { id } }))
      ).Item!;
      expect([item.version, item.replicas, item._operation_id]).toEqual([
        2,
        4,
        res.body.operation_id,
      ]);
      const history = await eventually(async () => {
        const h = await historyOf(id);
        return h.length >= 2 ? h : undefined;
      });
      const mine = history.filter((r) => r.operation_id === res.body.operation_id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        version: 2,
        actor: 'local-dev',
        changed_fields: ['replicas'],
      });
    });
    for (const id of others) {
      expect((await api('GET', `/api/instances/${id}`)).body.version).toBe(1);
    }
    // Progress messages never go backwards and the last one is the terminal state.
    const last = await client.waitFor(
      (m) => m.type === 'operation.progress' && TERMINAL.includes(m.status),
      30_000,
    );
    const progress = client.messages.filter((m) => m.type === 'operation.progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i].progress).toBeGreaterThanOrEqual(progress[i - 1].progress);
      expect(progress[i].processed).toBeGreaterThanOrEqual(progress[i - 1].processed);
    }
    expect(progress[progress.length - 1]).toBe(last);
    expect(last).toMatchObject({
      operation_id: res.body.operation_id,
      operation_type: 'bulk-update',
      status: 'succeeded',
      progress: 100,
    });
    await client.close();
  }, 180_000);

  it('rejects bad requests with 422 naming the fields', async () => {
    const both = await api('POST', '/api/operations', {
      type: 'bulk-update',
      ids: [1],
      filter: {},
      data: { replicas: 2 },
    });
    expect(both.status).toBe(422);
    expect(both.body.error.details).toHaveProperty('ids');
    const bad = await api('POST', '/api/operations', {
      type: 'bulk-update',
      filter: { colour: 'red' },
      data: { replicas: 2 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toHaveProperty(['filter.colour']);
    expect((await api('POST', '/api/operations', { type: 'reindex' })).status).toBe(422);
  });
});

describe('POST /api/operations bulk-delete', () => {
  it('ends partially_succeeded naming the unknown ids', async () => {
    // Prepare
    const cluster = `opsdel-${randomUUID().slice(0, 8)}`;
    const ids = await createMany(3, { cluster_name: cluster });
    const unknown = [900_000_001, 900_000_002];
    // Act
    const res = await api('POST', '/api/operations', {
      type: 'bulk-delete',
      ids: [...ids, ...unknown],
    });
    const done = await finished(res.body.operation_id);
    // Assess
    expect(done).toMatchObject({
      status: 'partially_succeeded',
      total: 5,
      processed: 5,
      succeeded: 3,
      failed: 2,
      result: { counts: { deleted: 3, not_found: 2 } },
    });
    expect(done.errors.map((e: any) => e.id).sort()).toEqual(unknown);
    expect(done.errors[0].error.type).toBe('NotFound');
    for (const id of ids) {
      expect((await api('GET', `/api/instances/${id}`)).status).toBe(404);
      const history = await eventually(async () => {
        const h = await historyOf(id);
        return h.some((r) => r.operation_type === 'delete') ? h : undefined;
      });
      expect(history.find((r) => r.operation_type === 'delete')).toMatchObject({
        operation_id: res.body.operation_id,
        actor: 'local-dev',
      });
    }
  }, 60_000);
});

describe('DELETE /api/operations/{id}', () => {
  it('stops a running operation before its next chunk', async () => {
    // Prepare: 3,000 ids no instance has (cheap items, 30 chunks).
    const ids = Array.from({ length: 3000 }, (_, i) => 800_000_000 + i);
    const res = await api('POST', '/api/operations', { type: 'bulk-delete', ids });
    // Act
    const cancel = await api('DELETE', `/api/operations/${res.body.operation_id}`);
    // Assess
    expect(cancel.status).toBe(202);
    expect(cancel.body.cancel_requested).toBe(true);
    const done = await finished(res.body.operation_id);
    expect(done.status).toBe('cancelled');
    expect(done.processed).toBeLessThan(3000);
    expect(done.processed % 100).toBe(0);
    // Idempotent once cancelled; listed among recent operations.
    expect((await api('DELETE', `/api/operations/${res.body.operation_id}`)).status).toBe(200);
    const list = await api('GET', '/api/operations?limit=100&status=cancelled');
    expect(list.body.items.map((o: any) => o.operation_id)).toContain(res.body.operation_id);
  }, 60_000);

  it('answers 409 for a finished operation and 404 for an unknown one', async () => {
    const res = await api('POST', '/api/operations', { type: 'bulk-delete', ids: [900_000_009] });
    await finished(res.body.operation_id);
    const again = await api('DELETE', `/api/operations/${res.body.operation_id}`);
    expect(again.status).toBe(409);
    expect(again.body.error.details.status).toBe('failed');
    expect((await api('DELETE', `/api/operations/${randomUUID()}`)).status).toBe(404);
    expect((await api('GET', `/api/operations/${randomUUID()}`)).status).toBe(404);
  });
});

describe('GET /api/operations', () => {
  it('lists recent operations newest first with a working cursor', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(
        (await api('POST', '/api/operations', { type: 'bulk-delete', ids: [900_000_100 + i] })).body
          .operation_id,
      );
    }
    const first = await api('GET', '/api/operations?limit=2&type=bulk-delete');
    expect(first.status).toBe(200);
    expect(first.body.items.map((o: any) => o.operation_id)).toEqual([made[2], made[1]]);
    const second = await api(
      'GET',
      `/api/operations?limit=1&type=bulk-delete&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.items[0].operation_id).toBe(made[0]);
    expect((await api('GET', '/api/operations?cursor=nope')).status).toBe(400);
  });
});

describe('POST /api/operations export', () => {
  it('writes json and csv files to S3 with a presigned download URL', async () => {
    // Prepare: two instances with 1 + 3 changes each.
    const a = await createInstance({ cluster_name: 'ops-export' });
    const b = await createInstance({ cluster_name: 'ops-export' });
    for (const r of [2, 3, 4]) await api('PATCH', `/api/instances/${b.id}`, { replicas: r });
    await eventually(async () => (await historyOf(b.id)).length === 4);

    for (const format of ['csv', 'json'] as const) {
      // Act
      const res = await api('POST', '/api/operations', {
        type: 'export',
        format,
        instance_ids: [a.id, b.id],
      });
      const done = await finished(res.body.operation_id);
      // Assess
      expect(done).toMatchObject({
        status: 'succeeded',
        total: 5,
        processed: 5,
        result: { format, records: 5 },
      });
      const file = await fetch(done.result.download_url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toContain(done.result.filename);
      const text = await file.text();
      expect(Buffer.byteLength(text)).toBe(done.result.bytes);
      if (format === 'csv') {
        const lines = text.trimEnd().split('\r\n');
        expect(lines[0]).toMatch(/^history_id,instance_id,/);
        expect(lines).toHaveLength(6);
      } else {
        const body = JSON.parse(text);
        expect(body.count).toBe(5);
        expect(body.records.map((r: any) => [r.instance_id, r.version])).toEqual([
          [a.id, 1],
          [b.id, 1],
          [b.id, 2],
          [b.id, 3],
          [b.id, 4],
        ]);
      }
    }
  }, 60_000);

  it('exports a time range through the day index', async () => {
    const since = new Date().toISOString();
    const c = await createInstance({ cluster_name: 'ops-export-range' });
    await eventually(async () => (await historyOf(c.id)).length === 1);
    const res = await api('POST', '/api/operations', {
      type: 'export',
      format: 'json',
      start_date: since,
    });
    const done = await finished(res.body.operation_id);
    expect(done.status).toBe('succeeded');
    const body = (await (await fetch(done.result.download_url)).json()) as any;
    expect(body.records.length).toBe(done.result.records);
    expect(body.records.every((r: any) => r.operation_timestamp >= since)).toBe(true);
    expect(body.records.some((r: any) => r.instance_id === c.id)).toBe(true);
  }, 60_000);
});

describe('POST /api/operations body size', () => {
  it('takes 10,000 ids of nine digits (SPEC §8), over the general 64 KiB body limit', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => 999_999_999 - i);
    const body = { type: 'bulk-delete', ids };
    expect(JSON.stringify(body).length).toBeGreaterThan(64 * 1024);
    const res = await api('POST', '/api/operations', body);
    expect(res.status, res.text.slice(0, 300)).toBe(202);
    expect(res.body.total).toBe(10_000);
    // No instance has these ids; stop it rather than let it look each one up.
    expect((await api('DELETE', `/api/operations/${res.body.operation_id}`)).status).toBeLessThan(
      300,
    );
  });

  it("keeps a bulk update's data to what one PATCH may send, and the body to 192 KiB", async () => {
    const { id } = await createInstance();
    const data = { description: 'd'.repeat(2_000), envs: { BIG: 'v'.repeat(4_000) } };
    const many = Object.fromEntries(
      Array.from({ length: 17 }, (_, k) => [`K${k}`, 'v'.repeat(4_000)]),
    );
    const big = await api('POST', '/api/operations', {
      type: 'bulk-update',
      ids: [id],
      data: { ...data, envs: many },
    });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({
      type: 'PayloadTooLarge',
      details: { max_bytes: 65_536 },
    });
    const huge = await api('POST', '/api/operations', {
      type: 'bulk-delete',
      ids: [id],
      padding: 'x'.repeat(200 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.details.max_bytes).toBe(192 * 1024);
    // Elsewhere the limit stays 64 KiB.
    const patch = await api('PATCH', `/api/instances/${id}`, { description: 'd'.repeat(70_000) });
    expect(patch.status).toBe(413);
    expect((await api('GET', `/api/instances/${id}`)).body.version).toBe(1);
  });
});
