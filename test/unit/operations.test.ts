/** Operations: request validation, progress rules, backoff and the stream worker's triggers. */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { AppError } from '../../shared/domain/errors.ts';
import { parseBody } from '../../shared/domain/validation.ts';
import { createOperationSchema, parseFilter, validateOperation } from '../../shared/ops/schemas.ts';
import {
  chunked,
  progressMessage,
  progressOf,
  terminalStatus,
  toView,
  type OperationItem,
} from '../../shared/ops/model.ts';
import { isTransient, withBackoff } from '../../shared/ops/retry.ts';
import { createOperationWorker } from '../../shared/ops/worker.ts';
import { OperationRepository } from '../../shared/ops/repository.ts';

const parse = (body: unknown) => {
  const parsed = createOperationSchema.safeParse(body);
  if (!parsed.success) throw new Error('schema rejected the body');
  return validateOperation(parsed.data);
};
const details = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, details: err.details };
    throw err;
  }
  throw new Error('did not throw');
};

describe('operation requests', () => {
  it('accepts a bulk update by filter and keeps the filter in list-query form', () => {
    // Act
    const input = parse({
      type: 'bulk-update',
      filter: { status: ['pending', 'error'], cluster: 'gpu-cluster-2' },
      data: { replicas: 4 },
    });
    // Assess
    expect(input).toMatchObject({
      type: 'bulk-update',
      data: { replicas: 4 },
      filter: { query: { status: ['pending', 'error'], cluster_name: 'gpu-cluster-2' } },
    });
  });

  it('wants exactly one of ids and filter', () => {
    expect(details(() => parse({ type: 'bulk-delete', ids: [1], filter: {} }))).toMatchObject({
      status: 422,
      details: { ids: expect.any(String), filter: expect.any(String) },
    });
    expect(details(() => parse({ type: 'bulk-delete' })).status).toBe(422);
  });

  it('names bad filters and bad data fields, and refuses to give one name to many instances', () => {
    expect(
      details(() => parse({ type: 'bulk-delete', filter: { colour: 'red', status: 'x' } })).details,
    ).toEqual({ 'filter.colour': expect.stringContaining('unknown filter') });
    expect(
      details(() => parse({ type: 'bulk-delete', filter: { status: 'sleeping' } })).details,
    ).toHaveProperty(['filter.status.0']);
    expect(
      details(() => parse({ type: 'bulk-update', ids: [1], data: { replicas: 0, id: 3 } })).details,
    ).toMatchObject({ 'data.replicas': expect.any(String), 'data.id': 'read-only field' });
    expect(
      details(() => parse({ type: 'bulk-update', ids: [1], data: { name: 'same' } })).details,
    ).toHaveProperty(['data.name']);
    expect(details(() => parse({ type: 'bulk-update', ids: [1], data: {} })).details).toEqual({
      data: 'must change at least one field',
    });
  });

  it('words data rules as creates and updates do, and names the operation types', () => {
    // Number rules named whole, as POST /api/instances and batch-update name them.
    expect(
      details(() => parse({ type: 'bulk-update', ids: [1], data: { replicas: 1000, cp: 0.5 } }))
        .details,
    ).toEqual({
      'data.replicas': 'must be an integer from 1 to 100',
      'data.cp': 'must be an integer from 1 to 64',
    });
    const schemaDetails = (body: unknown) =>
      details(() => parseBody(createOperationSchema, body)).details;
    expect(schemaDetails({ type: 'bogus' })).toEqual({
      type: 'must be one of: bulk-update, bulk-delete, export',
    });
    expect(schemaDetails({ type: 'bulk-delete', filter: { cluster_name: 'x', foo: 1 } })).toEqual({
      'filter.foo': 'must be a string or a list of strings',
    });
    expect(details(() => parseFilter({ status: '' })).details).toEqual({
      'filter.status': 'must have at least 1 item',
    });
  });

  it('caps ids at 10,000 and rejects duplicates', () => {
    const ids = Array.from({ length: 10_001 }, (_, i) => i + 1);
    expect(createOperationSchema.safeParse({ type: 'bulk-delete', ids }).success).toBe(false);
    expect(createOperationSchema.safeParse({ type: 'bulk-delete', ids: [1, 1] }).success).toBe(
      false,
    );
    expect(
      createOperationSchema.safeParse({ type: 'bulk-delete', ids: ids.slice(0, 10_000) }).success,
    ).toBe(true);
  });

  it('validates export requests (format, dates, range order)', () => {
    expect(parse({ type: 'export', start_date: '2026-01-01' })).toEqual({
      type: 'export',
      format: 'json',
      start_date: '2026-01-01T00:00:00.000Z',
    });
    expect(createOperationSchema.safeParse({ type: 'export', format: 'xlsx' }).success).toBe(false);
    expect(
      details(() => parse({ type: 'export', start_date: '2026-02-01', end_date: '2026-01-01' }))
        .status,
    ).toBe(422);
  });
});

describe('progress', () => {
  it('is a floor percentage that reaches 100 only when finished', () => {
    expect(progressOf(0, 300, false)).toBe(0);
    expect(progressOf(299, 300, false)).toBe(99);
    expect(progressOf(300, 300, false)).toBe(99);
    expect(progressOf(300, 300, true)).toBe(100);
    expect(progressOf(0, 0, true)).toBe(100);
  });

  it('ends succeeded, partially_succeeded or failed by the counts', () => {
    expect(terminalStatus(5, 0)).toBe('succeeded');
    expect(terminalStatus(4, 1)).toBe('partially_succeeded');
    expect(terminalStatus(0, 5)).toBe('failed');
    expect(terminalStatus(0, 0)).toBe('succeeded');
  });

  it('splits ids into chunks of 100', () => {
    const chunks = chunked(Array.from({ length: 250 }, (_, i) => i));
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it('sends the GET fields with type "operation.progress" and the operation type beside it', () => {
    const msg = progressMessage(toView(operation({ status: 'running' })));
    expect(msg).toMatchObject({
      type: 'operation.progress',
      operation_type: 'bulk-update',
      status: 'running',
      progress: 0,
    });
  });
});

describe('withBackoff', () => {
  const throttled = () =>
    Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });

  it('retries throttling with growing, jittered waits, then succeeds', async () => {
    // Prepare
    const waits: number[] = [];
    let calls = 0;
    const fn = async () => {
      if (++calls < 4) throw throttled();
      return 'ok';
    };
    // Act
    const out = await withBackoff(fn, {
      sleep: async (ms) => waits.push(ms),
      random: () => 0.5,
      baseMs: 100,
    });
    // Assess
    expect(out).toBe('ok');
    expect(waits).toEqual([50, 100, 200]);
  });

  it('gives up after the attempts and does not retry other errors', async () => {
    await expect(
      withBackoff(
        async () => {
          throw throttled();
        },
        { attempts: 3, sleep: async () => undefined },
      ),
    ).rejects.toThrow('slow down');
    let calls = 0;
    await expect(
      withBackoff(async () => {
        calls++;
        throw new Error('bad input');
      }),
    ).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });

  it('treats 5xx, throttled transaction cancellations and dropped connections as transient', () => {
    expect(isTransient(Object.assign(new Error(), { $metadata: { httpStatusCode: 503 } }))).toBe(
      true,
    );
    expect(
      isTransient(
        Object.assign(new Error(), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
        }),
      ),
    ).toBe(true);
    expect(isTransient(Object.assign(new Error(), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(new Error('ValidationException'))).toBe(false);
  });
});

function operation(overrides: Partial<OperationItem> = {}): OperationItem {
  return {
    operation_id: '00000000-0000-4000-8000-000000000001',
    list_pk: 'O',
    type: 'bulk-update',
    status: 'pending',
    actor: 'tester',
    request: { type: 'bulk-update', data: { replicas: 2 }, ids_count: 300 },
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    checkpoint_at: '2026-01-01T00:00:00.000Z',
    expires_at: 1,
    total: 300,
    chunk_count: 3,
    next_chunk: 0,
    processed: 0,
    succeeded: 0,
    failed: 0,
    progress: 0,
    errors: [],
    counts: {},
    seq: 1,
    ...overrides,
  };
}

function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  next: OperationItem | undefined,
  prev?: OperationItem,
  seq = '1',
): DynamoDBRecord {
  return {
    eventName,
    dynamodb: {
      SequenceNumber: seq,
      ...(next ? { NewImage: marshall(next, { removeUndefinedValues: true }) as never } : {}),
      ...(prev ? { OldImage: marshall(prev, { removeUndefinedValues: true }) as never } : {}),
    },
  };
}

describe('operation worker (stream handler)', () => {
  it('runs the chunk an INSERT or a new checkpoint points at, and announces every state', async () => {
    // Prepare
    const step = vi.fn(async () => undefined);
    const announce = vi.fn(async () => undefined);
    const handler = createOperationWorker({ step }, announce);
    const first = operation();
    const second = operation({ status: 'running', next_chunk: 1, seq: 2, processed: 100 });
    // Act
    const res = await handler({
      Records: [record('INSERT', first, undefined, '1'), record('MODIFY', second, first, '2')],
    });
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(step.mock.calls).toEqual([
      [first.operation_id, 0],
      [first.operation_id, 1],
    ]);
    expect(announce).toHaveBeenCalledTimes(2);
  });

  it('does not start work for a cancel request, a finished operation or a TTL removal', async () => {
    const step = vi.fn(async () => undefined);
    const announce = vi.fn(async () => undefined);
    const handler = createOperationWorker({ step }, announce);
    const running = operation({ status: 'running', next_chunk: 1, seq: 2 });
    const cancelAsked = { ...running, cancel_requested: true, seq: 3 };
    const done = { ...running, status: 'succeeded' as const, next_chunk: 3, seq: 4 };
    await handler({
      Records: [
        record('MODIFY', cancelAsked, running, '1'),
        record('MODIFY', done, cancelAsked, '2'),
        record('REMOVE', undefined, done, '3'),
      ],
    });
    expect(step).not.toHaveBeenCalled();
    expect(announce).toHaveBeenCalledTimes(2);
  });

  it('reports the failed record and every later one, so the retry keeps the order', async () => {
    const step = vi
      .fn<(id: string, chunk: number) => Promise<void>>()
      .mockRejectedValueOnce(new Error('boom'));
    const handler = createOperationWorker({ step }, async () => undefined);
    const a = operation();
    const b = operation({ operation_id: '00000000-0000-4000-8000-000000000002' });
    const res = await handler({
      Records: [record('INSERT', a, undefined, '10'), record('INSERT', b, undefined, '11')],
    });
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: '10' }, { itemIdentifier: '11' }]);
    expect(step).toHaveBeenCalledTimes(1);
  });
});

describe('OperationRepository.checkpoint', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  // Other files share this process (vitest.config.ts): take the stub off the client class.
  afterAll(() => ddb.restore());
  const repo = new OperationRepository(DynamoDBDocumentClient.from(new DynamoDBClient({})), {
    operations: 'ops',
    meta: 'meta',
  });

  it('is conditional on the chunk it finished and reports a lost race as false', async () => {
    // Prepare
    ddb.reset();
    ddb
      .on(UpdateCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }))
      .resolves({});
    // Act
    const lost = await repo.checkpoint('op', 2, { next_chunk: 3, processed: 300 });
    const won = await repo.checkpoint('op', 2, { next_chunk: 3, processed: 300 });
    // Assess
    expect([lost, won]).toEqual([false, true]);
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBe('#next = :k AND #status IN (:pending, :running)');
    expect(input.ExpressionAttributeValues).toMatchObject({ ':k': 2 });
  });
});
