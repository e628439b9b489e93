/**
 * Live updates over the local WebSocket API, with a real `ws` client.
 *
 * Every "nothing arrives" check has a positive control on the same connection: after the change
 * that must not arrive is in the history (the broadcaster reads the history stream in order), a
 * change that must arrive is made; once it is there, the unwanted one would have come first
 * (messages on one connection are ordered). Every topic is this file's own (`instance:<id>` of
 * its own instances), so no other file's connections or changes count here.
 */
import { describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { api, createInstance, eventually, historyThrough, stack } from '../support/api.ts';
import { connect, stackDoc, subscriberIds } from '../support/ws.ts';

const doc = stackDoc;
const connectionIds = subscriberIds;
const connectionItem = async (id: string) =>
  (
    await doc().send(
      new GetCommand({
        TableName: stack().tables.connections,
        Key: { pk: `CONN#${id}`, sk: 'META' },
        ConsistentRead: true,
      }),
    )
  ).Item;

// Waits for history records allow 60 s (the stream lags under the suite's load).
describe('WebSocket API', { timeout: 120_000 }, () => {
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
    // The other instance's change is in the history before the delete (the positive control)
    // is made, so the broadcaster handles it first.
    await historyThrough(other.id, 2);
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
    // The delete arrived, so the other instance's change would have arrived before it.
    expect(c.messages.indexOf(deleted)).toBeGreaterThan(c.messages.indexOf(updated));
    expect(c.messages.filter((m) => m.instance_id === other.id)).toEqual([]);
    expect(c.messages.filter((m) => m.instance_id !== inst.id)).toEqual([]);
    await c.close();
  });

  it('subscribe to "instances" receives instance.created; unsubscribe stops it', async () => {
    // The connection also follows an instance of its own: the positive control at the end.
    const marker = await createInstance();
    const [markerCreated] = await historyThrough(marker.id, 1);
    const c = await connect(`instance_id=${marker.id}`);
    c.send({ action: 'subscribe', topics: ['instances'] });
    // Live from the answer on: it names the newest record there is then, to resume from later.
    const ack = await c.waitFor((m) => m.type === 'subscribed');
    expect(ack).toMatchObject({ replayed: 0 });
    expect(ack.last_history_id).toBeGreaterThanOrEqual(markerCreated!.history_id);
    const inst = await createInstance();
    await c.waitFor((m) => m.type === 'instance.created' && m.instance_id === inst.id);
    c.send({ action: 'unsubscribe', topics: ['instances'] });
    await c.waitFor((m) => m.type === 'unsubscribed');
    const later = await createInstance();
    // Once the create is in the history, a change of the marker is broadcast after it.
    await historyThrough(later.id, 1);
    await api('PATCH', `/api/instances/${marker.id}`, { replicas: 2 });
    const control = await c.waitFor(
      (m) => m.type === 'instance.updated' && m.instance_id === marker.id && m.version === 2,
    );
    expect(control.changes).toEqual({ replicas: { old: 1, new: 2 } });
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
    const missed = (await historyThrough(inst.id, 22)).filter((r) => r.version >= 3);
    expect(missed.map((r) => r.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    const c = await connect();
    c.send({
      action: 'subscribe',
      topics: [`instance:${inst.id}`],
      since_history_id: seen.history_id,
    });
    const ack = await c.waitFor((m) => m.type === 'subscribed' || m.type === 'error', 15_000);
    expect(ack.type, JSON.stringify(ack)).toBe('subscribed');
    // The contract (README): no gap, in order, for a client that dedupes by history_id. A
    // resume also re-sends what was positioned shortly before the id it resumes from (the
    // overlap, docs/reliability.md "Resume"), here the change the first connection saw.
    const known = new Set<number>(first.messages.map((m) => m.history_id));
    const firstSeen = (upTo: number) => {
      const seenIds = new Set(known);
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
    expect(ack.replayed).toBeGreaterThanOrEqual(20);
    expect(replayed.map((m) => m.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect(replayed.map((m) => m.history_id)).toEqual(missed.map((r) => r.history_id));
    // Everything sent before the answer is in version order, overlap included.
    const sentVersions = c.messages.slice(0, c.messages.indexOf(ack)).map((m) => m.version);
    expect(sentVersions).toEqual([...sentVersions].sort((a, b) => a - b));
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
    // Everything of this instance broadcast so far is behind us: the ghost below must meet the
    // next change, not a lagging broadcast of the create (which would remove it before the count).
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 5 });
    await live.waitFor((m) => m.type === 'instance.updated' && m.version === 2);
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
    await live.waitFor((m) => m.type === 'instance.updated' && m.version === 3);
    await eventually(async () => !(await connectionIds(`instance:${inst.id}`)).includes(ghost));
    expect(await connectionItem(ghost)).toBeUndefined();
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
    const isChange = (version: number) => (m: any) =>
      m.type === 'instance.updated' && m.instance_id === inst.id && m.version === version;
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 8 });
    await Promise.all(clients.map((c) => c.waitFor(isChange(2))));
    // Positive control for "once each": a second change reaches every subscriber, and by then a
    // repeat of the first would have arrived before it.
    await api('PATCH', `/api/instances/${inst.id}`, { replicas: 9 });
    await Promise.all(clients.map((c) => c.waitFor(isChange(3))));
    const counts = clients.map((c) => [
      c.messages.filter(isChange(2)).length,
      c.messages.filter(isChange(3)).length,
    ]);
    expect(counts).toEqual(clients.map(() => [1, 1]));
    await Promise.all(clients.map((c) => c.close()));
  });

  it('refuses the upgrade for a bad $connect query', async () => {
    await expect(connect('topics=not-a-topic')).rejects.toThrow(/400/);
  });

  it('stores the connection with a TTL and removes it on disconnect', async () => {
    // A topic only this test subscribes to, so the rows counted are this connection's.
    const inst = await createInstance();
    const topic = `instance:${inst.id}`;
    const c = await connect(`topics=${topic}`);
    const ids = await connectionIds(topic);
    expect(ids).toHaveLength(1);
    const id = ids[0]!;
    const item = await connectionItem(id);
    expect(item).toBeDefined();
    expect(item!.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect([...item!.topic_set]).toEqual([topic]);
    await c.close();
    await eventually(async () => (await connectionIds(topic)).length === 0);
    expect(await connectionItem(id)).toBeUndefined();
  });
});
