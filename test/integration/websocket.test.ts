/** Live updates over the local WebSocket API, with a real `ws` client. */
import { describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { api, createInstance, eventually, stack } from '../support/api.ts';
import { connect, stackDoc, subscriberIds } from '../support/ws.ts';

const doc = stackDoc;
const connectionIds = subscriberIds;

describe('WebSocket API', () => {
  it('answers ping with pong, and a garbage message with an error while staying open', async () => {
    const c = await connect();
    c.send({ action: 'ping' });
    await c.waitFor((m) => m.type === 'pong');
    c.send('not json at all');
    const err = await c.waitFor((m) => m.type === 'error');
    expect(err.error.type).toBe('BadRequest');
    c.send({ action: 'launch-missiles' });
    expect(
      (await c.waitFor((m) => m.type === 'error' && m.error.type === 'UnknownAction')).error.details
        .actions,
    ).toContain('ping');
    c.send({ action: 'ping' });
    await eventually(async () => c.messages.filter((m) => m.type === 'pong').length === 2);
    expect(c.socket.readyState).toBe(c.socket.OPEN);
    await c.close();
  });

  it('delivers create / update / delete of a subscribed instance in the SPEC shape, and nothing of others', async () => {
    const inst = await createInstance();
    const other = await createInstance();
    const c = await connect(`instance_id=${inst.id}`);
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 3 });
    await api('PATCH', `/api/instances/${other.id}`, { replicas: 3 });
    await api('DELETE', `/api/instances/${inst.id}`);
    const updated = await c.waitFor((m) => m.type === 'instance.updated');
    expect(updated).toMatchObject({
      instance_id: inst.id,
      version: 2,
      actor: 'local-dev',
      changed_fields: ['replicas'],
      changes: { replicas: { old: 1, new: 3 } },
      instance: { id: inst.id, replicas: 3 },
    });
    expect(typeof updated.history_id).toBe('number');
    const deleted = await c.waitFor((m) => m.type === 'instance.deleted');
    expect(deleted).toMatchObject({ instance_id: inst.id, version: 3, instance: { replicas: 3 } });
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages.filter((m) => m.instance_id === other.id)).toEqual([]);
    await c.close();
  });

  it('subscribe to "instances" receives instance.created; unsubscribe stops it', async () => {
    const c = await connect();
    c.send({ action: 'subscribe', topics: ['instances'] });
    await c.waitFor((m) => m.type === 'subscribed');
    const inst = await createInstance();
    await c.waitFor((m) => m.type === 'instance.created' && m.instance_id === inst.id);
    c.send({ action: 'unsubscribe', topics: ['instances'] });
    await c.waitFor((m) => m.type === 'unsubscribed');
    const later = await createInstance();
    await new Promise((r) => setTimeout(r, 800));
    expect(c.messages.some((m) => m.instance_id === later.id)).toBe(false);
    await c.close();
  });

  it('resumes after missing 20 changes: replayed in order, once each, then live', async () => {
    const inst = await createInstance();
    const first = await connect(`instance_id=${inst.id}`);
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 2 });
    const seen = await first.waitFor((m) => m.type === 'instance.updated');
    await first.close();
    for (let i = 0; i < 20; i++)
      await api('PATCH', `/api/instances/${inst.id}`, { workers: i + 2 });
    // Let the history of the 20 missed changes land before resuming: the replay reads history,
    // which follows the stream (the instance's version is there before its history record).
    await eventually(
      async () =>
        (await api('GET', `/api/instances/${inst.id}/history?sort_order=desc&limit=1`)).body
          .items[0]?.version === 22,
      60_000,
    );
    const c = await connect();
    c.send({
      action: 'subscribe',
      topics: [`instance:${inst.id}`],
      since_history_id: seen.history_id,
    });
    const ack = await c.waitFor((m) => m.type === 'subscribed', 15_000);
    // The contract (README): no gap, in order, for a client that dedupes by history_id — a
    // broadcaster still catching up may repeat a record around the hand-off.
    const firstSeen = (upTo: number) => {
      const seenIds = new Set<number>();
      return c.messages
        .slice(0, upTo)
        .filter(
          (m) =>
            m.type === 'instance.updated' &&
            !seenIds.has(m.history_id) &&
            seenIds.add(m.history_id),
        );
    };
    const replayed = firstSeen(c.messages.indexOf(ack));
    expect(ack.replayed).toBe(20);
    expect(replayed.map((m) => m.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    const ids = replayed.map((m) => m.history_id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    await api('PATCH', `/api/instances/${inst.id}`, { workers: 99 });
    const live = await c.waitFor((m) => m.type === 'instance.updated' && m.version === 23);
    expect(live.history_id).toBeGreaterThan(ids[ids.length - 1]);
    // After dedupe: every version from 3 to 23 exactly once, nothing missing.
    const versions = firstSeen(c.messages.length).map((m) => m.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 3),
    );
    await c.close();
  });

  it('removes a vanished client after the next broadcast (410 Gone)', async () => {
    const inst = await createInstance();
    const live = await connect(`instance_id=${inst.id}`);
    // A subscriber whose $disconnect never arrived: the gateway no longer knows the connection.
    const ghost = 'GhostConnection=';
    await doc().send(
      new PutCommand({
        TableName: stack().tables.connections,
        Item: { pk: `CONN#${ghost}`, sk: 'META', sub: 'x', topics: [`instance:${inst.id}`] },
      }),
    );
    await doc().send(
      new PutCommand({
        TableName: stack().tables.connections,
        Item: { pk: `TOPIC#instance:${inst.id}`, sk: ghost, live: true },
      }),
    );
    expect((await connectionIds(`instance:${inst.id}`)).sort()).toHaveLength(2);

    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 6 });
    await live.waitFor((m) => m.type === 'instance.updated');
    await eventually(async () => !(await connectionIds(`instance:${inst.id}`)).includes(ghost));
    const conn = await doc().send(
      new GetCommand({
        TableName: stack().tables.connections,
        Key: { pk: `CONN#${ghost}`, sk: 'META' },
      }),
    );
    expect(conn.Item).toBeUndefined();
    expect(await connectionIds(`instance:${inst.id}`)).toHaveLength(1);
    await live.close();
  });

  it('fans one change out to 200 subscribers', async () => {
    const inst = await createInstance();
    const clients = [];
    for (let i = 0; i < 200; i += 20) {
      clients.push(
        ...(await Promise.all(Array.from({ length: 20 }, () => connect(`instance_id=${inst.id}`)))),
      );
    }
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 8 });
    await Promise.all(clients.map((c) => c.waitFor((m) => m.type === 'instance.updated', 20_000)));
    expect(
      clients.every((c) => c.messages.filter((m) => m.type === 'instance.updated').length === 1),
    ).toBe(true);
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);

  it('refuses the upgrade for a bad $connect query', async () => {
    await expect(connect('topics=not-a-topic')).rejects.toThrow(/400/);
  });

  it('stores the connection with a TTL and removes it on disconnect', async () => {
    const c = await connect('topics=instances');
    const [id] = (await connectionIds('instances')).filter((x) => !x.startsWith('Ghost'));
    expect(id).toBeDefined();
    const ids = await connectionIds('instances');
    const items = await Promise.all(
      ids.map((x) =>
        doc().send(
          new GetCommand({
            TableName: stack().tables.connections,
            Key: { pk: `CONN#${x}`, sk: 'META' },
          }),
        ),
      ),
    );
    const mine = items.map((r) => r.Item).filter(Boolean);
    expect(mine.length).toBeGreaterThan(0);
    for (const item of mine) expect(item!.expires_at).toBeGreaterThan(Date.now() / 1000);
    const before = new Set(ids);
    await c.close();
    await eventually(async () => (await connectionIds('instances')).length < before.size);
  });
});
