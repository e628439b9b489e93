/**
 * Connections and subscriptions. A subscription is its own item under `TOPIC#<topic>`, so the
 * broadcaster finds a topic's subscribers with one Query, never a Scan. Items expire (TTL)
 * when API Gateway would have closed the connection anyway (2 h), so orphans clean up.
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';

export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;
const META = 'META';
const connKey = (id: string) => ({ pk: `CONN#${id}`, sk: META });
const topicKey = (topic: string, id: string) => ({ pk: `TOPIC#${topic}`, sk: id });

export interface Connection {
  id: string;
  sub: string;
  topics: string[];
  connected_at: string;
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
          topics: [],
          connected_at: new Date(this.now()).toISOString(),
          expires_at: this.expiry(),
        },
      }),
    );
    if (topics.length) await this.subscribe(id, topics, true);
  }

  async get(id: string): Promise<Connection | undefined> {
    const res = await this.client.send(new GetCommand({ TableName: this.table, Key: connKey(id) }));
    if (!res.Item) return undefined;
    return {
      id,
      sub: res.Item.sub,
      topics: res.Item.topics ?? [],
      connected_at: res.Item.connected_at,
    };
  }

  /** Adds subscriptions; `live: false` hides them from the broadcaster during a replay. */
  async subscribe(id: string, topics: string[], live: boolean): Promise<void> {
    const expires_at = this.expiry();
    await this.batchWrite(
      topics.map((t) => ({ PutRequest: { Item: { ...topicKey(t, id), live, expires_at } } })),
    );
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: connKey(id),
        UpdateExpression: 'SET topics = list_append(if_not_exists(topics, :empty), :t)',
        ExpressionAttributeValues: { ':t': topics, ':empty': [] },
      }),
    );
  }

  async setLive(id: string, topics: string[]): Promise<void> {
    await Promise.all(
      topics.map((t) =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: topicKey(t, id),
            UpdateExpression: 'SET live = :t',
            ExpressionAttributeValues: { ':t': true },
          }),
        ),
      ),
    );
  }

  async unsubscribe(id: string, topics: string[]): Promise<void> {
    await this.batchWrite(topics.map((t) => ({ DeleteRequest: { Key: topicKey(t, id) } })));
    const current = await this.get(id);
    if (!current) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: connKey(id),
        UpdateExpression: 'SET topics = :t',
        ExpressionAttributeValues: { ':t': current.topics.filter((t) => !topics.includes(t)) },
      }),
    );
  }

  /** Removes the connection and all its subscriptions. */
  async disconnect(id: string): Promise<void> {
    const current = await this.get(id);
    const topics = [...new Set(current?.topics ?? [])];
    await this.batchWrite(topics.map((t) => ({ DeleteRequest: { Key: topicKey(t, id) } })));
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: connKey(id) }));
  }

  /**
   * Counts a client message in the connection's current one-minute window (OWASP API4: a
   * per-connection rate). Returns the count including this message.
   */
  async countMessage(id: string): Promise<number> {
    // One counter attribute per minute, incremented atomically (messages of one connection are
    // handled concurrently); the previous minute's counter is dropped in the same write.
    const window = Math.floor(this.now() / 60_000);
    const res = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: connKey(id),
        UpdateExpression: 'ADD #cur :one REMOVE #prev',
        ExpressionAttributeNames: { '#cur': `msgs_${window}`, '#prev': `msgs_${window - 1}` },
        ExpressionAttributeValues: { ':one': 1 },
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
