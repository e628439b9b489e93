/**
 * Gap-free resume when a lower history id is posted after a higher one (#14 item 3). A stack of
 * its own, with four lanes per stream shard (as Lambda's ParallelizationFactor), and a gate
 * that holds one instance's batch at the worst moment:
 * 1. in the HistoryWriter, after its id was reserved and before it is written, so a later
 *    change of another instance gets a higher id and is committed and broadcast first;
 * 2. in the Broadcaster, after it was written, so the higher id is broadcast first and the
 *    held record's position goes stale.
 * Meanwhile a subscriber receives the higher id and drops. Resuming from the highest id it saw
 * must replay the held record, on the `instances` topic and on the instance's own topic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { laneOf } from '../../infra/local/stream-lanes.ts';
import { loadHandler } from '../../infra/local/handlers.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { RESTAMP_AFTER_MS } from '../../shared/ws/resume-window.ts';
import { historyHandler } from '../support/history-handler.ts';
import { connect, type Client } from '../support/ws.ts';

const LANES = 4;

/** Holds the calls that concern one instance until released; says when the first one arrived. */
class Gate {
  private held: number | undefined;
  private release: () => void = () => undefined;
  private opened: Promise<void> = Promise.resolve();
  private arrive!: (info: string) => void;
  reached!: Promise<string>;

  hold(instanceId: number): void {
    this.held = instanceId;
    this.opened = new Promise((r) => (this.release = r));
    this.reached = new Promise((r) => (this.arrive = r));
  }

  /** Waits if `text` (a request or an event) concerns the held instance. */
  async pass(text: string): Promise<void> {
    if (this.held === undefined || !mentions(text, this.held)) return;
    this.arrive(text);
    await this.opened;
  }

  open(): void {
    this.held = undefined;
    this.release();
  }
}

const mentions = (text: string, id: number) =>
  new RegExp(`"instance_id":(\\{"N":"${id}"\\}|${id})[,}]`).test(text);

const writerGate = new Gate();
const broadcasterGate = new Gate();
/** History ids the Broadcaster has finished with (posted to whoever was subscribed). */
const broadcast = new Set<number>();
let stack: LocalStack;

async function http(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** The instance's history record of `version`, once the stream has written it. */
async function recordOf(id: number, version: number): Promise<any> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const page = await http('GET', `/api/instances/${id}/history?limit=100`);
    const found = page.items.find((r: any) => r.version === version);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no history record for instance ${id} v${version}`);
}

const laneOfInstance = (id: number) =>
  laneOf({ dynamodb: { Keys: { id: { N: String(id) } } } }, 'id', LANES);

let seq = 0;
const newInstance = () =>
  http('POST', '/api/instances', {
    name: `adv-${process.pid}-${++seq}`,
    model_name: 'm',
    cluster_name: 'c',
    image_tag: 'vllm:0.6.3',
  });

/** Two new instances whose changes go to different lanes, with their create records written. */
async function twoLanes(): Promise<[number, number]> {
  const made: number[] = [];
  for (;;) {
    const { id } = await newInstance();
    await recordOf(id, 1);
    const other = made.find((m) => laneOfInstance(m) !== laneOfInstance(id));
    if (other !== undefined) return [other, id];
    made.push(id);
  }
}

const event = (c: Client, id: number, version: number) =>
  c.waitFor((m) => m.instance_id === id && m.version === version);

async function resumeFrom(topic: string, since: number): Promise<Client> {
  const c = await connect('', stack.wsUrl);
  c.send({ action: 'subscribe', topics: [topic], since_history_id: since });
  const answer = await c.waitFor((m) => m.type === 'subscribed' || m.type === 'error');
  expect(answer.type).toBe('subscribed');
  return c;
}

beforeAll(async () => {
  let writer: ((e: DynamoDBStreamEvent, c: Context) => Promise<DynamoDBBatchResponse>) | undefined;
  stack = await startLocalStack({
    port: 0,
    streamParallelism: LANES,
    streamHandlers: {
      // The real history handler, on a client whose history writes pass the gate.
      HistoryWriter: async (e, c) => {
        if (!writer) {
          const client = createDocumentClient(
            new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, ...LOCAL_AWS }),
          );
          client.middlewareStack.add(
            (next, context) => async (args) => {
              if (/^(Put|TransactWrite)/.test(String(context.commandName))) {
                await writerGate.pass(JSON.stringify(args.input));
              }
              return next(args);
            },
            { step: 'initialize', name: 'writerGate' },
          );
          writer = historyHandler(client, stack.tableNames);
        }
        return writer(e, c);
      },
      Broadcaster: async (e, c) => {
        await broadcasterGate.pass(JSON.stringify(e));
        const broadcaster = await loadHandler<DynamoDBStreamEvent, DynamoDBBatchResponse>(
          'stream/broadcaster',
        );
        const res = await broadcaster(e, c);
        for (const r of e.Records) broadcast.add(Number(r.dynamodb?.NewImage?.history_id?.N));
        return res;
      },
    },
  });
}, 120_000);

afterAll(async () => {
  writerGate.open();
  broadcasterGate.open();
  await stack?.stop();
});

describe('resume with lower ids posted after higher ones', () => {
  it(
    'replays a change whose id was reserved first but written after a higher one',
    { timeout: 120_000 },
    async () => {
      // Prepare: A and B in different lanes; a live subscriber.
      const [a, b] = await twoLanes();
      const live = await resumeFrom('instances', 0);

      // Act: A's write holds after its id is reserved; B's change gets a higher id and is
      // broadcast; the subscriber sees it and drops; then A's record is written.
      writerGate.hold(a);
      await http('PATCH', `/api/instances/${a}`, { replicas: 2 });
      const heldWrite = await writerGate.reached;
      await http('PATCH', `/api/instances/${b}`, { replicas: 2 });
      const seen = await event(live, b, 2);
      await live.close();
      writerGate.open();
      const missed = await recordOf(a, 2);
      // Posted to no one: a resume must replay it, not receive it live.
      await waitUntil(() => broadcast.has(missed.history_id));

      // Assess: the interleaving happened (A's id is lower, committed later)...
      expect(heldWrite).toContain(`"history_id":${missed.history_id}`);
      expect(missed.history_id).toBeLessThan(seen.history_id);
      // ...and resuming from the highest id seen replays A's change, on both topics.
      for (const topic of ['instances', `instance:${a}`]) {
        const resumed = await resumeFrom(topic, seen.history_id);
        const got = await event(resumed, a, 2);
        expect(got.history_id).toBe(missed.history_id);
        await resumed.close();
      }
    },
  );

  it(
    'replays a change broadcast after a higher id, and moves its stale position forward',
    { timeout: 120_000 },
    async () => {
      // Prepare
      const [a, b] = await twoLanes();
      const live = await resumeFrom('instances', 0);

      // Act: A's record is written, its broadcast held; B's is broadcast first and seen;
      // the subscriber drops; A's broadcast goes out once its position is stale.
      broadcasterGate.hold(a);
      await http('PATCH', `/api/instances/${a}`, { replicas: 3 });
      const missed = await recordOf(a, 2);
      await broadcasterGate.reached;
      await http('PATCH', `/api/instances/${b}`, { replicas: 3 });
      const seen = await event(live, b, 2);
      await live.close();
      const doc = createDocumentClient(
        new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, ...LOCAL_AWS }),
      );
      const stored = async () =>
        (
          await doc.send(
            new GetCommand({
              TableName: stack.tableNames.history,
              Key: { instance_id: a, version: 2 },
            }),
          )
        ).Item!;
      const { pos: written } = await stored();
      // The held broadcast must find the position stale: the gate opens once it is.
      await waitUntil(() => Date.now() - written > RESTAMP_AFTER_MS);
      const released = Date.now();
      broadcasterGate.open();
      // Marked as posted late, at the time of the post; the writer's stamp stays.
      await waitUntil(async () => (await stored()).late_pos >= released);
      expect((await stored()).pos).toBe(written);
      await waitUntil(() => broadcast.has(missed.history_id));

      // Assess
      expect(missed.history_id).toBeLessThan(seen.history_id);
      for (const topic of ['instances', `instance:${a}`]) {
        const resumed = await resumeFrom(topic, seen.history_id);
        const got = await event(resumed, a, 2);
        expect(got.history_id).toBe(missed.history_id);
        await resumed.close();
      }
    },
  );
});

async function waitUntil(condition: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await condition());) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
