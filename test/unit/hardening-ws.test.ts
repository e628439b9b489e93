/**
 * WebSocket hardening on its failure paths (mocked DynamoDB): the order of the two message
 * limits, a gone connection answered as such, and the subscription transaction's shape, cap
 * and retries.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConnectionRepository } from '../../shared/ws/connections.ts';
import {
  MESSAGES_PER_MINUTE,
  MESSAGES_PER_PRINCIPAL_PER_MINUTE,
  wsRoute,
  type WsEvent,
} from '../../shared/ws/handler.ts';
import {
  MAX_TOPICS_PER_CONNECTION,
  pingSchema,
  type ServerMessage,
} from '../../shared/ws/protocol.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const NOW = 1_800_000_000_000;
const repo = new ConnectionRepository(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  'connections',
  () => NOW,
);
const window = `msgs_${Math.floor(NOW / 60_000)}`;

afterEach(() => ddb.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => ddb.restore());

function route() {
  const posted: string[] = [];
  // Encoded as the real Publisher encodes it: the test reads what would go on the wire.
  const publisher = {
    post: async (_id: string, message: ServerMessage) => {
      posted.push(JSON.stringify(message));
      return 'sent' as const;
    },
  };
  let handled = 0;
  const handler = wsRoute({ publisher, connections: repo }, pingSchema, async () => {
    handled++;
  });
  const event: WsEvent = {
    requestContext: {
      routeKey: 'ping',
      eventType: 'MESSAGE',
      connectionId: 'c1',
      requestId: 'r1',
      domainName: 'local',
      stage: 'ws',
    },
    body: '{"action":"ping"}',
  };
  return {
    send: () => handler(event),
    errors: () => posted.map((p) => JSON.parse(p).error),
    handled: () => handled,
  };
}

const isPrincipalUpdate = (input: { Key?: Record<string, unknown> }) =>
  String(input.Key?.pk).startsWith('PRINCIPAL#');

describe('wsRoute message limits', () => {
  it('checks the connection first: a connection over its limit does not spend its user’s budget', async () => {
    ddb
      .on(UpdateCommand)
      .resolves({ Attributes: { sub: 'alice', [window]: MESSAGES_PER_MINUTE + 1 } });
    const r = route();
    await r.send();
    expect(r.errors()).toEqual([
      expect.objectContaining({
        type: 'Throttled',
        details: expect.objectContaining({ scope: 'connection' }),
      }),
    ]);
    expect(ddb.commandCalls(UpdateCommand).some((c) => isPrincipalUpdate(c.args[0].input))).toBe(
      false,
    );
    expect(r.handled()).toBe(0);
  });

  it('counts the message for the connection’s principal and refuses past the shared limit', async () => {
    ddb
      .on(UpdateCommand)
      .callsFake((input: { Key: Record<string, unknown> }) =>
        isPrincipalUpdate(input)
          ? { Attributes: { [window]: MESSAGES_PER_PRINCIPAL_PER_MINUTE + 1 } }
          : { Attributes: { sub: 'alice', [window]: 1 } },
      );
    const r = route();
    await r.send();
    const principal = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .find(isPrincipalUpdate)!;
    expect(principal.Key).toEqual({ pk: 'PRINCIPAL#alice', sk: 'RATE' });
    expect(principal.ExpressionAttributeValues![':exp']).toBeGreaterThan(NOW / 1000);
    expect(r.errors()).toEqual([
      expect.objectContaining({
        type: 'Throttled',
        details: expect.objectContaining({
          scope: 'principal',
          limit_per_minute: MESSAGES_PER_PRINCIPAL_PER_MINUTE,
        }),
      }),
    ]);
    expect(r.handled()).toBe(0);
  });

  it('handles a message within both limits', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { sub: 'alice', [window]: 5 } });
    const r = route();
    await r.send();
    expect(r.errors()).toEqual([]);
    expect(r.handled()).toBe(1);
  });

  it('answers Gone (not InternalError) for a connection without an item, creating none', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'no item', $metadata: {} }));
    const r = route();
    await r.send();
    expect(r.errors()).toEqual([expect.objectContaining({ type: 'Gone' })]);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.ConditionExpression).toBe(
      'attribute_exists(pk)',
    );
  });
});

describe('ConnectionRepository.subscribe', () => {
  const held = (n: number) => new Set(Array.from({ length: n }, (_, i) => `instance:${i + 1}`));
  const cancelled = (code: string) =>
    Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: code }],
    });

  it('adds only new topics to the set and writes every row in one transaction', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CONN#c1', sk: 'META', topic_set: held(2) } });
    ddb.on(TransactWriteCommand).resolves({});
    await repo.subscribe('c1', ['instance:1', 'instance:9', 'instance:9'], true);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items[0]!.Update!.ExpressionAttributeValues![':added']).toEqual(new Set(['instance:9']));
    expect(items[0]!.Update!.ExpressionAttributeValues![':room']).toBe(
      MAX_TOPICS_PER_CONNECTION - 1,
    );
    expect(items.slice(1).map((i) => i.Put!.Item!.pk)).toEqual([
      'TOPIC#instance:1',
      'TOPIC#instance:9',
    ]);
  });

  it('only checks the connection still exists when every topic is already held', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CONN#c1', sk: 'META', topic_set: held(2) } });
    ddb.on(TransactWriteCommand).resolves({});
    await repo.subscribe('c1', ['instance:2'], false);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.ConditionCheck!.ConditionExpression).toBe('attribute_exists(pk)');
    expect(items[1]!.Put!.Item).toMatchObject({ live: false });
  });

  it('refuses past the cap without writing anything', async () => {
    ddb.on(GetCommand).resolves({
      Item: { pk: 'CONN#c1', sk: 'META', topic_set: held(MAX_TOPICS_PER_CONNECTION) },
    });
    await expect(repo.subscribe('c1', ['instance:999'], true)).rejects.toMatchObject({
      type: 'TooManyTopics',
      details: { subscribed: MAX_TOPICS_PER_CONNECTION, new_topics: 1 },
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('re-reads after losing a race and is refused if the other subscribe filled the connection', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: { pk: 'CONN#c1', sk: 'META', topic_set: held(99) } })
      .resolves({ Item: { pk: 'CONN#c1', sk: 'META', topic_set: held(100) } });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed'));
    await expect(repo.subscribe('c1', ['instance:500'], true)).rejects.toMatchObject({
      type: 'TooManyTopics',
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('gives up with 409 Conflict after repeated transaction conflicts', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CONN#c1', sk: 'META' } });
    ddb.on(TransactWriteCommand).rejects(cancelled('TransactionConflict'));
    await expect(repo.subscribe('c1', ['instance:1'], true)).rejects.toMatchObject({
      status: 409,
      type: 'Conflict',
    });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(5);
  });

  it('surfaces other transaction failures unchanged', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'CONN#c1', sk: 'META' } });
    ddb.on(TransactWriteCommand).rejects(cancelled('ValidationError'));
    await expect(repo.subscribe('c1', ['instance:1'], true)).rejects.toThrow('cancelled');
  });
});
