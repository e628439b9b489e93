/**
 * The deployed redrive (`npm run redrive -- --queue-url …`): on-failure SQS messages → the shard
 * range re-read from the stream → a synchronous Invoke of the function → DeleteMessage only after
 * success. The stream is the real DynamoDB Local stream of tables of this test's own; SQS and
 * Lambda have no local endpoint, so their transport is faked (aws-sdk-client-mock), and in one
 * test the fake Invoke runs the real history handler on the payload, as Lambda would.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { InvokeCommand, LambdaClient, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { InstanceRepository } from '../../shared/repo/instances.ts';
import { StatsRepository } from '../../shared/repo/stats.ts';
import { createInstanceSchema } from '../../shared/domain/instance.ts';
import { ensureTables, prefixedTableNames } from '../../infra/local/tables.ts';
import { formatQueueReport, redriveQueue } from '../../infra/local/redrive-queue.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { eventually, stack } from '../support/api.ts';
import { historyHandler } from '../support/history-handler.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ii-HistoryWriterOnFailure-abc';
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:ii-HistoryWriterFunction-abc';
const AWS = { region: 'eu-west-1', credentials: LOCAL_AWS.credentials };

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
/** What the redrive sends as Payload (a Buffer of JSON). */
const payload = (p: InvokeCommandInput['Payload']) =>
  JSON.parse(Buffer.from(p as Uint8Array).toString()) as DynamoDBStreamEvent;
const seqs = (rs: StreamRecord[]) => rs.map((r) => r.dynamodb!.SequenceNumber!);

/** Lambda's on-failure record for a DynamoDB stream batch, as SQS delivers it. */
function onFailureBody(
  streamArn: string,
  shardId: string,
  range: StreamRecord[],
  { batchSize = range.length, functionArn = FN } = {},
): string {
  return JSON.stringify({
    requestContext: {
      requestId: randomUUID(),
      functionArn,
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 12,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: range[0]!.dynamodb!.SequenceNumber,
      endSequenceNumber: range.at(-1)!.dynamodb!.SequenceNumber,
      approximateArrivalOfFirstRecord: new Date().toISOString(),
      approximateArrivalOfLastRecord: new Date().toISOString(),
      batchSize,
      streamArn,
    },
  });
}

/** Every record of a table's (single-shard) stream. */
async function streamRecords(streams: DynamoDBStreamsClient, streamArn: string, count: number) {
  const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn })))
    .StreamDescription!.Shards![0]!;
  const records = await eventually(async () => {
    let it = (
      await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId!,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    const out: StreamRecord[] = [];
    while (it) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
      out.push(...(page.Records ?? []));
      if (!page.Records?.length) break;
      it = page.NextShardIterator;
    }
    return out.length === count && out;
  });
  return { shardId: shard.ShardId!, records };
}

describe('deployed redrive: on-failure queue → stream range → Invoke → delete', () => {
  const sqsMock = mockClient(SQSClient);
  const lambdaMock = mockClient(LambdaClient);
  const sqs = new SQSClient(AWS);
  const lambda = new LambdaClient(AWS);
  let streams: DynamoDBStreamsClient;
  let admin: DynamoDBClient;
  let streamArn = '';
  let shardId = '';
  /** The table's 10 stream records: 8 inserts, a modify, a remove. */
  let records: StreamRecord[] = [];
  const blob = (i: number) => Uint8Array.from([0, 255, i, 42]);

  /** The queue answers with these pages of messages, then empty. */
  let pages: Message[][] = [];
  const queue = (...next: Message[][]) => {
    pages = next;
  };
  const message = (id: string, body: string): Message => ({
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: body,
  });
  const invoked = () =>
    lambdaMock.commandCalls(InvokeCommand).map((c) => ({
      input: c.args[0].input,
      event: payload(c.args[0].input.Payload),
    }));
  const deleted = () =>
    sqsMock.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
  const released = () =>
    sqsMock
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries!.map((e) => [e.ReceiptHandle, e.VisibilityTimeout]));
  const run = (opts: Partial<Parameters<typeof redriveQueue>[0]> = {}) =>
    redriveQueue({ queueUrl: QUEUE, sqs, lambda, streams, waitSeconds: 0, ...opts });

  beforeAll(async () => {
    admin = new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    streams = new DynamoDBStreamsClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    const table = `redrive-deployed-${randomUUID().slice(0, 8)}`;
    const created = await admin.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    streamArn = created.TableDescription!.LatestStreamArn!;
    for (let i = 0; i < 8; i++) {
      await admin.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: `k${i}` }, n: { N: String(i) }, blob: { B: blob(i) } },
        }),
      );
    }
    await admin.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: 'k1' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '100' } },
      }),
    );
    await admin.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'k2' } } }));
    ({ shardId, records } = await streamRecords(streams, streamArn, 10));
  });

  beforeEach(() => {
    sqsMock.reset();
    lambdaMock.reset();
    pages = [];
    sqsMock.on(ReceiveMessageCommand).callsFake(async () => ({ Messages: pages.shift() ?? [] }));
    sqsMock.on(DeleteMessageCommand).resolves({});
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: enc(null) as never });
  });

  afterAll(() => {
    sqsMock.restore();
    lambdaMock.restore();
    streams.destroy();
  });

  it('invokes the function with exactly the records of the range, in order, as Lambda delivers them; deletes after success', async () => {
    const range = records.slice(3, 10); // k3…k7 inserted, k1 modified, k2 removed
    queue([message('a', onFailureBody(streamArn, shardId, range))]);

    const report = await run();

    expect(report).toMatchObject({
      messages: 1,
      replayed: 1,
      records: 7,
      invocations: 1,
      failedAgain: 0,
      agedOut: 0,
      skipped: 0,
      functions: [FN],
    });
    const calls = invoked();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.input).toMatchObject({ FunctionName: FN, InvocationType: 'RequestResponse' });
    const got = calls[0]!.event.Records;
    expect(got.map((r) => r.dynamodb!.SequenceNumber)).toEqual(seqs(range));
    expect(got.map((r) => r.eventID)).toEqual(range.map((r) => r.eventID));
    expect(got.map((r) => r.eventName)).toEqual([
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'INSERT',
      'MODIFY',
      'REMOVE',
    ]);
    expect(got.map((r) => r.dynamodb!.Keys!.pk!.S)).toEqual([
      'k3',
      'k4',
      'k5',
      'k6',
      'k7',
      'k1',
      'k2',
    ]);
    expect(
      got.every((r) => r.eventSourceARN === streamArn && r.eventSource === 'aws:dynamodb'),
    ).toBe(true);
    // The stream's region (DynamoDB Local's ARNs say "ddblocal"); binary values in base64.
    expect(got[0]!.awsRegion).toBe('ddblocal');
    expect(got[0]!.dynamodb!.NewImage!.blob).toEqual({
      B: Buffer.from(blob(3)).toString('base64'),
    });
    expect(got[5]!.dynamodb!.OldImage!.n).toEqual({ N: '1' });
    expect(got[5]!.dynamodb!.NewImage!.n).toEqual({ N: '100' });
    expect(got[6]!.dynamodb!.NewImage).toBeUndefined();
    expect(typeof got[0]!.dynamodb!.ApproximateCreationDateTime).toBe('number');

    expect(deleted()).toEqual(['receipt-a']);
    expect(released()).toEqual([]);
    const printed = formatQueueReport(report);
    expect(printed[0]).toBe(
      'ii-HistoryWriterOnFailure-abc → ii-HistoryWriterFunction-abc: messages 1; replayed 1 ' +
        '(7 records, 1 invocations), failed again 0, aged out 0, skipped 0',
    );
    console.log(printed.join('\n'));
  });

  it('receives until the queue is empty, replays in stream order, in batches no larger than the failed one', async () => {
    // Two messages, later range first, over two receives; a duplicate delivery of one of them.
    const first = message('first', onFailureBody(streamArn, shardId, records.slice(0, 5)));
    const second = message(
      'second',
      // With a parallelization factor the range holds other keys' records: batchSize < range.
      onFailureBody(streamArn, shardId, records.slice(5, 10), { batchSize: 2 }),
    );
    queue([second], [first, { ...second, ReceiptHandle: 'receipt-second-again' }]);

    const report = await run();

    expect(report).toMatchObject({ messages: 2, replayed: 2, records: 10, invocations: 4 });
    const events = invoked().map((c) => c.event.Records.map((r) => r.dynamodb!.SequenceNumber));
    expect(events.map((e) => e.length)).toEqual([5, 2, 2, 1]);
    expect(events.flat()).toEqual(seqs(records));
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(3);
    // The latest receipt handle of a message received twice is the one that deletes it.
    expect(deleted()).toEqual(['receipt-first', 'receipt-second-again']);
  });

  it('keeps a message whose invocation failed again (FunctionError, batchItemFailures, Invoke error)', async () => {
    queue([
      message('crash', onFailureBody(streamArn, shardId, records.slice(0, 2))),
      message('partial', onFailureBody(streamArn, shardId, records.slice(2, 4))),
      message('throttled', onFailureBody(streamArn, shardId, records.slice(4, 6))),
      message('fine', onFailureBody(streamArn, shardId, records.slice(6, 8))),
    ]);
    lambdaMock
      .on(InvokeCommand)
      .resolvesOnce({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: enc({ errorType: 'Error', errorMessage: 'history table missing' }) as never,
      })
      .resolvesOnce({
        StatusCode: 200,
        Payload: enc({
          batchItemFailures: [{ itemIdentifier: records[3]!.dynamodb!.SequenceNumber }],
        }) as never,
      })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }))
      .resolves({ StatusCode: 200, Payload: enc({ batchItemFailures: [] }) as never });

    const report = await run();

    expect(report).toMatchObject({
      messages: 4,
      replayed: 1,
      failedAgain: 3,
      records: 2,
      invocations: 1,
    });
    expect(invoked()).toHaveLength(4);
    expect(deleted()).toEqual(['receipt-fine']);
    expect(released()).toEqual([
      ['receipt-crash', 0],
      ['receipt-partial', 0],
      ['receipt-throttled', 0],
    ]);
    const lines = report.lines.join('\n');
    expect(lines).toContain('FunctionError Unhandled: Error: history table missing; kept');
    expect(lines).toContain('1 record(s) failed again (batchItemFailures); kept');
    expect(lines).toContain('TooManyRequestsException: Rate exceeded; kept');
  });

  it('reports a range that aged out of the stream and keeps its message; the others are replayed', async () => {
    // Past the 24 h retention GetShardIterator answers TrimmedDataAccessException: injected on
    // the real client for one range (DynamoDB Local keeps records as long as it runs).
    const aged = records.slice(0, 3);
    const gone = records.slice(8, 10);
    const agingStreams = new DynamoDBStreamsClient({ endpoint: stack().dynamodb, ...LOCAL_AWS });
    agingStreams.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { SequenceNumber?: string };
        if (context.commandName !== 'GetShardIteratorCommand') return next(args);
        if (input.SequenceNumber === aged[0]!.dynamodb!.SequenceNumber) {
          throw new TrimmedDataAccessException({
            message: 'The operation attempted to read past the oldest stream record in a shard.',
            $metadata: {},
          });
        }
        // A shard is deleted some time after its records expired.
        if (input.SequenceNumber === gone[0]!.dynamodb!.SequenceNumber) {
          throw new ResourceNotFoundException({
            message: 'Requested resource not found: Shard does not exist',
            $metadata: {},
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'trim-horizon' },
    );
    queue([
      message('aged', onFailureBody(streamArn, shardId, aged)),
      message('fresh', onFailureBody(streamArn, shardId, records.slice(3, 5))),
      message('gone', onFailureBody(streamArn, shardId, gone)),
    ]);

    const report = await run({ streams: agingStreams });

    expect(report).toMatchObject({ messages: 3, replayed: 1, agedOut: 2, failedAgain: 0 });
    expect(invoked().map((c) => c.event.Records.length)).toEqual([2]);
    expect(deleted()).toEqual(['receipt-fresh']);
    expect(released()).toEqual([
      ['receipt-aged', 0],
      ['receipt-gone', 0],
    ]);
    expect(report.lines[2]).toMatch(/^aged out: .+ ResourceNotFoundException: the records of /);
    expect(report.lines[0]).toMatch(
      /^aged out: .+ TrimmedDataAccessException: the records of .+ are no longer in the stream \(older than its 24 h retention, or the stream is gone\); kept$/,
    );
    agingStreams.destroy();
  });

  it('--dry-run re-reads and reports, invokes nothing and deletes nothing', async () => {
    queue([
      message('a', onFailureBody(streamArn, shardId, records.slice(0, 4))),
      message('b', onFailureBody(streamArn, shardId, records.slice(4, 10), { batchSize: 3 })),
    ]);

    const report = await run({ dryRun: true });

    expect(report).toMatchObject({
      dryRun: true,
      messages: 2,
      wouldReplay: 2,
      records: 10,
      replayed: 0,
      invocations: 0,
    });
    expect(invoked()).toEqual([]);
    expect(deleted()).toEqual([]);
    expect(released()).toEqual([
      ['receipt-a', 0],
      ['receipt-b', 0],
    ]);
    const printed = formatQueueReport(report);
    expect(printed[0]).toBe(
      'ii-HistoryWriterOnFailure-abc → ii-HistoryWriterFunction-abc (dry run): messages 2; ' +
        'would replay 2 (10 records), aged out 0, skipped 0; nothing invoked or deleted',
    );
    expect(printed[2]).toMatch(/would replay: .+: 6 record\(s\) in 2 invocation\(s\) of /);
    console.log(printed.join('\n'));
  });

  it('skips, and keeps, a message for another function and one that is not an on-failure record', async () => {
    queue([
      message(
        'other',
        onFailureBody(streamArn, shardId, records.slice(0, 1), {
          functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ii-BroadcasterFunction-x',
        }),
      ),
      message('junk', '{"hello":"world"}'),
      message('mine', onFailureBody(streamArn, shardId, records.slice(1, 2))),
    ]);

    const report = await run({ functionName: 'ii-HistoryWriterFunction-abc' });

    expect(report).toMatchObject({ messages: 3, replayed: 1, skipped: 2 });
    expect(invoked().map((c) => c.input.FunctionName)).toEqual(['ii-HistoryWriterFunction-abc']);
    expect(deleted()).toEqual(['receipt-mine']);
    expect(released().map(([h]) => h)).toEqual(['receipt-junk', 'receipt-other']);
  });

  it('replayed through the real history handler, a range writes its history once; a second redrive changes nothing', async () => {
    const names = prefixedTableNames(`redrive-${randomUUID().slice(0, 6)}-`);
    const arns = await ensureTables(admin, names);
    const doc = createDocumentClient(admin);
    const repo = new InstanceRepository(doc, names);
    const created = [];
    for (const name of ['rd-a', 'rd-b', 'rd-c']) {
      created.push(
        await repo.create(
          createInstanceSchema.parse({ name, model_name: 'm', cluster_name: 'c', image_tag: 't' }),
          { actor: 'redrive', opId: 'test' },
        ),
      );
    }
    await repo.update(created[0]!.id, { replicas: 2 }, { actor: 'redrive', opId: 'test' });
    const instances = await streamRecords(streams, arns.instances!, 4);
    // What Lambda does with the payload: the handler gets the parsed JSON.
    const handler = historyHandler(doc, names);
    lambdaMock.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
      const event = payload(input.Payload);
      const res = await handler(event, {} as Context);
      return { StatusCode: 200, Payload: enc(res ?? null) };
    });
    const body = onFailureBody(arns.instances!, instances.shardId, instances.records);
    const history = async () =>
      (
        (await doc.send(new ScanCommand({ TableName: names.history, ConsistentRead: true })))
          .Items ?? []
      )
        .map((h) => `${h.instance_id}/${h.version}`)
        .sort();
    const expected = [
      `${created[0]!.id}/1`,
      `${created[0]!.id}/2`,
      `${created[1]!.id}/1`,
      `${created[2]!.id}/1`,
    ].sort();

    for (const attempt of [1, 2]) {
      queue([message(`m${attempt}`, body)]);
      const report = await run();
      expect(report).toMatchObject({ replayed: 1, records: 4, failedAgain: 0 });
      expect(await history()).toEqual(expected);
      const stats = await new StatsRepository(doc, names.meta).read();
      expect(stats.total).toBe(3);
    }
    expect(deleted()).toEqual(['receipt-m1', 'receipt-m2']);
  });
});
