/**
 * Connections and subscriptions. A subscription is its own item under `TOPIC#<topic>`, so the
 * broadcaster finds a topic's subscribers with one Query, never a Scan. The connection item
 * (`CONN#<id>`) holds the set of its topics, so `$disconnect` knows which rows to delete and a
 * subscribe knows how many the connection already holds (at most MAX_TOPICS_PER_CONNECTION).
 * Items expire (TTL) when API Gateway would have closed the connection anyway (2 h): the TTL
 * is only the fallback for a `$disconnect` that never ran.
 *
 * Messages of one connection are handled concurrently (API Gateway invokes a Lambda per
 * message), and `$disconnect` can run while a subscribe is in flight. So no write here may
 * re-create a deleted item (every update is conditional on the item existing), a subscribe or
 * unsubscribe changes the topic set and the rows in one transaction, and `$disconnect` deletes
 * the item first and then the rows it listed: no row outlives its connection item.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { AppError, conflict, gone } from '../domain/errors.ts';
import { ANONYMOUS_PRINCIPAL, MAX_TOPICS_PER_CONNECTION } from './protocol.ts';

export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;
const META = 'META';
/** How long an idle principal's message counter lives: it only ever counts the current minute. */
const PRINCIPAL_COUNTER_TTL_SECONDS = 2 * 60;
/**
 * The connection's topics, a string set: ADD and DELETE are atomic and idempotent, so the same
 * topic subscribed twice (or by two concurrent messages) is stored once. Connection items
 * written before this attribute existed hold a list under `topics`; they are read (so their rows
 * are still cleaned up) but never written, and expire within CONNECTION_TTL_SECONDS.
 */
const TOPIC_SET = 'topic_set';
const LEGACY_TOPICS = 'topics';
/** Attempts at a subscription transaction when concurrent messages on one connection keep racing. */
const TRANSACT_ATTEMPTS = 5;

const connKey = (id: string) => ({ pk: `CONN#${id}`, sk: META });
const topicKey = (topic: string, id: string) => ({ pk: `TOPIC#${topic}`, sk: id });
/** Tokens come from a configured issuer, but a key must stay under DynamoDB's 2 KB: hash long ones. */
const principalKey = (sub: string) => ({
  pk: `PRINCIPAL#${Buffer.byteLength(sub) <= 512 ? sub : createHash('sha256').update(sub).digest('hex')}`,
  sk: 'RATE',
});

type TransactItem = Record<string, unknown>;

export interface Connection {
  id: string;
  sub: string;
  topics: string[];
  connected_at: string;
}

export const connectionGone = () => gone('Unknown connection');

export const tooManyTopics = (held: number, adding: number) =>
  new AppError(
    422,
    'TooManyTopics',
    `A connection may subscribe to at most ${MAX_TOPICS_PER_CONNECTION} topics; it holds ${held} and this message adds ${adding} new. Unsubscribe from some first (nothing from this message was subscribed).`,
    { max_topics: MAX_TOPICS_PER_CONNECTION, subscribed: held, new_topics: adding },
  );

const isConditionFailure = (err: unknown) =>
  err instanceof ConditionalCheckFailedException ||
  (err as { name?: string }).name === 'ConditionalCheckFailedException';

function topicsOfItem(item: Record<string, unknown>): { set: string[]; all: string[] } {
  const raw = item[TOPIC_SET];
  const set = raw instanceof Set ? ([...raw] as string[]) : [];
  const legacy = Array.isArray(item[LEGACY_TOPICS]) ? (item[LEGACY_TOPICS] as string[]) : [];
  return { set, all: [...new Set([...set, ...legacy])] };
}

export class ConnectionRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  private expiry() {
    return Math.floor(this.now() / 1000) + CONNECTION_TTL_SECONDS;
  }

  async connect(id: string, sub: string, topics: string[]): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...connKey(id),
          sub,
          connected_at: new Date(this.now()).toISOString(),
          expires_at: this.expiry(),
        },
      }),
    );
    if (topics.length) await this.subscribe(id, topics, true);
  }

  async get(id: string): Promise<Connection | undefined> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.table, Key: connKey(id), ConsistentRead: true }),
    );
    if (!res.Item) return undefined;
    return {
      id,
      sub: res.Item.sub,
      topics: topicsOfItem(res.Item).all,
      connected_at: res.Item.connected_at,
    };
  }

  /**
   * Adds subscriptions; `live: false` hides them from the broadcaster during a replay. Topics
   * the connection already holds are kept once (their rows are rewritten with `live`). Throws
   * TooManyTopics when the connection would pass MAX_TOPICS_PER_CONNECTION (nothing is added),
   * and Gone when the connection is unknown (or disconnected meanwhile).
   */
  async subscribe(id: string, topics: string[], live: boolean): Promise<void> {
    const wanted = [...new Set(topics)];
    const expires_at = this.expiry();
    const rows = wanted.map((t) => ({
      Put: { TableName: this.table, Item: { ...topicKey(t, id), live, expires_at } },
    }));
    for (let attempt = 1; ; attempt++) {
      const res = await this.client.send(
        new GetCommand({ TableName: this.table, Key: connKey(id), ConsistentRead: true }),
      );
      if (!res.Item) throw connectionGone();
      const { set, all } = topicsOfItem(res.Item);
      const held = new Set(all);
      const added = wanted.filter((t) => !held.has(t));
      if (held.size + added.length > MAX_TOPICS_PER_CONNECTION)
        throw tooManyTopics(held.size, added.length);
      // One transaction registers the topics on the connection item and writes their rows:
      // a `$disconnect` (which deletes the item, then the rows it lists) or an `unsubscribe`
      // (same transaction shape) sees all of it or none, so no row outlives its connection.
      // The condition re-checks the count at write time: of two concurrent subscribes that each
      // fit alone, the loser re-reads and is refused, or fits.
      const room = MAX_TOPICS_PER_CONNECTION - added.length - (all.length - set.length);
      const register = added.length
        ? {
            Update: {
              TableName: this.table,
              Key: connKey(id),
              UpdateExpression: 'ADD #set :added',
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(#set) OR size(#set) <= :room)',
              ExpressionAttributeNames: { '#set': TOPIC_SET },
              ExpressionAttributeValues: { ':added': new Set(added), ':room': room },
            },
          }
        : {
            ConditionCheck: {
              TableName: this.table,
              Key: connKey(id),
              ConditionExpression: 'attribute_exists(pk)',
            },
          };
      if (await this.transact([register, ...rows], attempt)) return;
    }
  }

  /**
   * Runs a transaction whose first item is the connection's condition. Returns false when that
   * condition failed or another transaction got in the way (the caller re-reads and retries).
   */
  private async transact(items: TransactItem[], attempt: number): Promise<boolean> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items as never }));
      return true;
    } catch (err) {
      const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      const retryable =
        (err as { name?: string }).name === 'TransactionCanceledException' &&
        (reasons ?? []).every((r) =>
          ['None', 'ConditionalCheckFailed', 'TransactionConflict', undefined].includes(r.Code),
        );
      if (!retryable) throw err;
      if (attempt >= TRANSACT_ATTEMPTS)
        throw conflict(
          'Concurrent messages kept changing this connection’s subscriptions; send it again',
        );
      await new Promise((r) => setTimeout(r, Math.min(200, 10 * 2 ** attempt) * Math.random()));
      return false;
    }
  }

  /** Sets replayed subscriptions live; a row deleted meanwhile (disconnect) stays deleted. */
  async setLive(id: string, topics: string[]): Promise<void> {
    await Promise.all(
      [...new Set(topics)].map(async (t) => {
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.table,
              Key: topicKey(t, id),
              UpdateExpression: 'SET live = :t',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':t': true },
            }),
          );
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
      }),
    );
  }

  async unsubscribe(id: string, topics: string[]): Promise<void> {
    const unique = [...new Set(topics)];
    const rows = unique.map((t) => ({
      Delete: { TableName: this.table, Key: topicKey(t, id) },
    }));
    for (let attempt = 1; ; attempt++) {
      const ok = await this.transact(
        [
          {
            Update: {
              TableName: this.table,
              Key: connKey(id),
              UpdateExpression: 'DELETE #set :t',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#set': TOPIC_SET },
              ExpressionAttributeValues: { ':t': new Set(unique) },
            },
          },
          ...rows,
        ],
        attempt,
      );
      if (ok) return;
      // The connection is gone: `$disconnect` removed what it listed; remove these rows too.
      if (!(await this.get(id))) return this.deleteRows(id, unique);
    }
  }

  /**
   * Removes the connection, then all its subscriptions (batched). Deleting the item first, and
   * learning its topics from that same delete, means a concurrent subscribe transaction either
   * committed before (its rows are listed and deleted here) or fails on the missing item.
   */
  async disconnect(id: string): Promise<void> {
    const res = await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: connKey(id), ReturnValues: 'ALL_OLD' }),
    );
    if (res.Attributes) await this.deleteRows(id, topicsOfItem(res.Attributes).all);
  }

  /**
   * Counts a client message in the connection's current one-minute window (OWASP API4: a
   * per-connection rate). Returns the count including this message and the connection's
   * principal; throws Gone for an unknown connection (never creates its item).
   */
  async countMessage(id: string): Promise<{ count: number; sub: string }> {
    // One counter attribute per minute, incremented atomically (messages of one connection are
    // handled concurrently); the previous minute's counter is dropped in the same write.
    const window = Math.floor(this.now() / 60_000);
    try {
      const res = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: connKey(id),
          UpdateExpression: 'ADD #cur :one REMOVE #prev',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#cur': `msgs_${window}`, '#prev': `msgs_${window - 1}` },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return {
        count: (res.Attributes?.[`msgs_${window}`] as number | undefined) ?? 1,
        sub: String(res.Attributes?.sub ?? ANONYMOUS_PRINCIPAL),
      };
    } catch (err) {
      if (isConditionFailure(err)) throw connectionGone();
      throw err;
    }
  }

  /**
   * Counts a message in the principal's current one-minute window, across all its connections
   * (opening more connections must not multiply a user's rate). Returns the count.
   */
  async countPrincipalMessage(sub: string): Promise<number> {
    const window = Math.floor(this.now() / 60_000);
    const res = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: principalKey(sub),
        UpdateExpression: 'ADD #cur :one REMOVE #prev SET expires_at = :exp',
        ExpressionAttributeNames: { '#cur': `msgs_${window}`, '#prev': `msgs_${window - 1}` },
        ExpressionAttributeValues: {
          ':one': 1,
          ':exp': Math.floor(this.now() / 1000) + PRINCIPAL_COUNTER_TTL_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return (res.Attributes?.[`msgs_${window}`] as number | undefined) ?? 1;
  }

  /** Connection ids with a live subscription to `topic`. */
  async subscribers(topic: string): Promise<string[]> {
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `TOPIC#${topic}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of res.Items ?? []) if (item.live) ids.push(item.sk as string);
      start = res.LastEvaluatedKey;
    } while (start);
    return ids;
  }

  private deleteRows(id: string, topics: readonly string[]): Promise<void> {
    return this.batchWrite(
      [...new Set(topics)].map((t) => ({ DeleteRequest: { Key: topicKey(t, id) } })),
    );
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with jittered backoff. */
  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25);
      for (let attempt = 0; pending && pending.length; attempt++) {
        if (attempt > 0)
          await new Promise((r) =>
            setTimeout(r, Math.min(1000, 25 * 2 ** attempt) * Math.random()),
          );
        const res = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.table]: pending as never } }),
        );
        pending = res.UnprocessedItems?.[this.table] as Record<string, unknown>[] | undefined;
      }
    }
  }
}
