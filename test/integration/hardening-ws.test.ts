/**
 * Hardening of WebSocket subscriptions (issue "Hardening", item 5) against the local stack: a
 * bounded, deduplicated topic set per connection, subscriptions removed on `$disconnect` (also
 * when a subscribe races it), no item re-created by a message for a gone connection, and the
 * local Management API answering a malformed connection id with 400.
 *
 * Every test uses topics of its own (`operation:<uuid>`, the last digits counting from a random
 * one), so the rows it counts are its own.
 */
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConnectionRepository } from '../../shared/ws/connections.ts';
import { MAX_TOPICS, MAX_TOPICS_PER_CONNECTION } from '../../shared/ws/protocol.ts';
import { eventually, stack } from '../support/api.ts';
import { connect, stackDoc, subscriberIds, type Client } from '../support/ws.ts';

/** The `n`th topic of a test's own: an operation UUID that keeps `prefix`'s first 24 characters. */
const topicOf = (prefix: string, n: number) =>
  `operation:${prefix.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;
const topicsFor = (prefix: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => topicOf(prefix, from + i));

const connItem = async (id: string) =>
  (
    await stackDoc().send(
      new GetCommand({
        TableName: stack().tables.connections,
        Key: { pk: `CONN#${id}`, sk: 'META' },
        ConsistentRead: true,
      }),
    )
  ).Item;

/** How many of `topics` have a subscription row for connection `id`. */
async function rowsOf(id: string, topics: string[]): Promise<number> {
  const ids = await Promise.all(topics.map((t) => subscriberIds(t)));
  return ids.filter((list) => list.includes(id)).length;
}

/** Sends a message and waits for the next `subscribed`/`unsubscribed`/`error`/`pong` answer. */
async function ask(c: Client, msg: unknown): Promise<any> {
  const before = c.messages.length;
  c.send(msg);
  await eventually(async () => c.messages.length > before, 20_000, 25);
  return c.messages[before];
}

describe('WebSocket subscriptions per connection', () => {
  it(`holds at most ${MAX_TOPICS_PER_CONNECTION} topics, once each, refusing more with TooManyTopics and keeping the connection`, async () => {
    const p = randomUUID();
    const first = topicsFor(p, 0, MAX_TOPICS);
    const second = topicsFor(p, MAX_TOPICS, MAX_TOPICS);
    const c = await connect();

    // Prepare: fill the connection to the cap in two messages.
    expect(await ask(c, { action: 'subscribe', topics: first })).toMatchObject({
      type: 'subscribed',
    });
    expect(await ask(c, { action: 'subscribe', topics: second })).toMatchObject({
      type: 'subscribed',
    });
    const [id] = await subscriberIds(first[0]!);
    expect(id).toBeDefined();
    expect((await connItem(id!))!.topic_set.size).toBe(MAX_TOPICS_PER_CONNECTION);

    // Act: what used to grow the connection item until DynamoDB refused it (InternalError):
    // many more 50-topic messages.
    const refusals = [];
    for (let i = 0; i < 8; i++) {
      refusals.push(
        await ask(c, { action: 'subscribe', topics: topicsFor(p, 1000 + i * 50, MAX_TOPICS) }),
      );
    }

    // Assess: each is a clear refusal, nothing was added, the connection is still usable.
    for (const r of refusals) {
      expect(r).toMatchObject({
        type: 'error',
        error: {
          type: 'TooManyTopics',
          details: {
            max_topics: MAX_TOPICS_PER_CONNECTION,
            subscribed: MAX_TOPICS_PER_CONNECTION,
            new_topics: MAX_TOPICS,
          },
        },
      });
      expect(r.error.message).toMatch(/at most 100 topics/);
    }
    expect((await connItem(id!))!.topic_set.size).toBe(MAX_TOPICS_PER_CONNECTION);
    expect(await rowsOf(id!, topicsFor(p, 1000, 8 * 50))).toBe(0);
    expect(await rowsOf(id!, [...first, ...second])).toBe(MAX_TOPICS_PER_CONNECTION);
    expect(await ask(c, { action: 'ping' })).toMatchObject({ type: 'pong' });
    expect(c.socket.readyState).toBe(c.socket.OPEN);

    // Dedupe: topics already held are accepted at the cap and stored once (repeats in one
    // message too), one row each.
    const again = [...first.slice(0, 25), ...first.slice(0, 25)];
    expect(await ask(c, { action: 'subscribe', topics: again })).toMatchObject({
      type: 'subscribed',
      topics: first.slice(0, 25),
    });
    const item = await connItem(id!);
    expect(item!.topic_set.size).toBe(MAX_TOPICS_PER_CONNECTION);
    expect([...item!.topic_set].sort()).toEqual([...first, ...second].sort());
    for (const t of first.slice(0, 3)) expect(await subscriberIds(t)).toEqual([id]);

    // Unsubscribing makes room again.
    expect(await ask(c, { action: 'unsubscribe', topics: second.slice(0, 10) })).toMatchObject({
      type: 'unsubscribed',
    });
    expect(await rowsOf(id!, second.slice(0, 10))).toBe(0);
    const extra = topicsFor(p, 5000, 10);
    expect(await ask(c, { action: 'subscribe', topics: extra })).toMatchObject({
      type: 'subscribed',
    });
    expect((await connItem(id!))!.topic_set.size).toBe(MAX_TOPICS_PER_CONNECTION);
    expect(await rowsOf(id!, extra)).toBe(10);
    await c.close();
  }, 60_000);

  it('removes every subscription row and the connection item on $disconnect', async () => {
    const p = randomUUID();
    const topics = [...topicsFor(p, 0, MAX_TOPICS), ...topicsFor(p, MAX_TOPICS, 30)];
    const c = await connect(`topics=${topics.slice(0, 20).join(',')}`);
    expect(await ask(c, { action: 'subscribe', topics: topics.slice(20, 70) })).toMatchObject({
      type: 'subscribed',
    });
    expect(await ask(c, { action: 'subscribe', topics: topics.slice(70) })).toMatchObject({
      type: 'subscribed',
    });
    const [id] = await subscriberIds(topics[0]!);
    // Positive control: all 80 rows and the item exist before the close.
    expect(await rowsOf(id!, topics)).toBe(80);
    expect(await connItem(id!)).toBeDefined();

    await c.close();

    await eventually(async () => (await rowsOf(id!, topics)) === 0 && !(await connItem(id!)));
  }, 60_000);

  it('answers a message for a connection id the gateway does not know (any more) with an error, never re-creating it', async () => {
    const c = await connect();
    const p = randomUUID();
    await ask(c, { action: 'subscribe', topics: [topicOf(p, 0)] });
    const [id] = await subscriberIds(topicOf(p, 0));
    // The connection item vanishes under a live socket (as after the TTL): the next message
    // must not bring back a partial item without `expires_at`, which nothing would ever delete.
    const repo = new ConnectionRepository(stackDoc(), stack().tables.connections);
    await repo.disconnect(id!);
    expect(await ask(c, { action: 'ping' })).toMatchObject({
      type: 'error',
      error: { type: 'Gone' },
    });
    expect(await ask(c, { action: 'subscribe', topics: [topicOf(p, 2)] })).toMatchObject({
      type: 'error',
      error: { type: 'Gone' },
    });
    expect(await connItem(id!)).toBeUndefined();
    expect(await subscriberIds(topicOf(p, 2))).toEqual([]);
    await c.close();
  });
});

describe('ConnectionRepository races (DynamoDB Local)', () => {
  /** A document client that runs `hook` once, right after the first command `when` matches. */
  function withHook(
    when: (name: string) => boolean,
    hook: () => Promise<void>,
  ): DynamoDBDocumentClient {
    const real = stackDoc();
    let fired = false;
    return {
      send: async (command: { constructor: { name: string } }) => {
        const out = await real.send(command as never);
        if (!fired && when(command.constructor.name)) {
          fired = true;
          await hook();
        }
        return out;
      },
    } as unknown as DynamoDBDocumentClient;
  }

  const table = () => stack().tables.connections;

  it('a subscribe that a $disconnect overtakes writes no rows and reports Gone', async () => {
    const p = randomUUID();
    const topics = topicsFor(p, 0, 20);
    const plain = new ConnectionRepository(stackDoc(), table());
    // Positive control: the same subscribe without the race stores its 20 rows.
    await plain.connect(`ctl-${p}`, 'tester', []);
    await plain.subscribe(`ctl-${p}`, topics, true);
    expect(await rowsOf(`ctl-${p}`, topics)).toBe(20);
    await plain.disconnect(`ctl-${p}`);
    expect(await rowsOf(`ctl-${p}`, topics)).toBe(0);

    // Act: the disconnect lands between the subscribe's read of the connection and its write.
    const id = `race-${p}`;
    await plain.connect(id, 'tester', []);
    const racing = new ConnectionRepository(
      withHook(
        (name) => name === 'GetCommand',
        () => plain.disconnect(id),
      ),
      table(),
    );
    await expect(racing.subscribe(id, topics, true)).rejects.toMatchObject({ type: 'Gone' });

    // Assess
    expect(await rowsOf(id, topics)).toBe(0);
    expect(await connItem(id)).toBeUndefined();
  });

  it('a $disconnect right after a subscribe committed deletes its rows', async () => {
    const p = randomUUID();
    const id = `after-${p}`;
    const topics = topicsFor(p, 0, 30);
    const plain = new ConnectionRepository(stackDoc(), table());
    await plain.connect(id, 'tester', []);
    const racing = new ConnectionRepository(
      withHook(
        (name) => name === 'TransactWriteCommand',
        async () => {
          // Positive control: the rows are there when the disconnect starts.
          expect(await rowsOf(id, topics)).toBe(30);
          await plain.disconnect(id);
        },
      ),
      table(),
    );
    await racing.subscribe(id, topics, true);
    expect(await rowsOf(id, topics)).toBe(0);
    expect(await connItem(id)).toBeUndefined();
  });

  it('setLive after a $disconnect does not bring rows back', async () => {
    const p = randomUUID();
    const id = `live-${p}`;
    const topics = topicsFor(p, 0, 3);
    const repo = new ConnectionRepository(stackDoc(), table());
    await repo.connect(id, 'tester', []);
    await repo.subscribe(id, topics, false);
    // Positive control: setLive flips rows that exist.
    await repo.setLive(id, topics.slice(0, 1));
    expect(
      (
        await stackDoc().send(
          new GetCommand({ TableName: table(), Key: { pk: `TOPIC#${topics[0]}`, sk: id } }),
        )
      ).Item?.live,
    ).toBe(true);
    await repo.disconnect(id);
    await repo.setLive(id, topics);
    expect(await rowsOf(id, topics)).toBe(0);
  });

  it('cleans up rows listed by a connection item written before the topic set existed', async () => {
    const p = randomUUID();
    const id = `legacy-${p}`;
    const topics = topicsFor(p, 0, 2);
    const doc = stackDoc();
    await doc.send(
      new PutCommand({
        TableName: table(),
        Item: { pk: `CONN#${id}`, sk: 'META', sub: 'x', topics },
      }),
    );
    for (const t of topics)
      await doc.send(
        new PutCommand({ TableName: table(), Item: { pk: `TOPIC#${t}`, sk: id, live: true } }),
      );
    expect(await rowsOf(id, topics)).toBe(2);
    await new ConnectionRepository(doc, table()).disconnect(id);
    expect(await rowsOf(id, topics)).toBe(0);
  });
});

describe('local Management API', () => {
  it('answers a connection id that is not valid URL encoding with 400, like API Gateway', async () => {
    for (const path of ['/@connections/%ZZ', '/ws/@connections/%E0%A4%A', '/@connections/a%']) {
      const res = await fetch(`${stack().url}${path}`, { method: 'POST', body: '{}' });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(((await res.json()) as { message: string }).message).toMatch(/Invalid connectionId/);
    }
    // Positive controls: a well-formed unknown id is 410, a live one receives the message.
    const gone = await fetch(`${stack().url}/@connections/NoSuchConnection%3D`, {
      method: 'POST',
      body: '{}',
    });
    expect(gone.status).toBe(410);
    const c = await connect();
    const p = randomUUID();
    await ask(c, { action: 'subscribe', topics: [topicOf(p, 0)] });
    const [id] = await subscriberIds(topicOf(p, 0));
    const sent = await fetch(`${stack().url}/@connections/${encodeURIComponent(id!)}`, {
      method: 'POST',
      body: JSON.stringify({ type: 'hello' }),
    });
    expect(sent.status).toBe(200);
    await c.waitFor((m) => m.type === 'hello');
    await c.close();
  });
});
