/** A real `ws` client that records every message it receives. */
import WebSocket from 'ws';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { stack } from './api.ts';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { LOCAL_AWS } from '../../infra/local/dynamodb-local.ts';

export interface Client {
  socket: WebSocket;
  messages: any[];
  send(msg: unknown): void;
  /**
   * The first message `pred` matches, received or to come. Broadcasts follow the history stream,
   * which lags seconds under the suite's load: the default wait allows 60 s, and ends as soon as
   * the message is there.
   */
  waitFor(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

/** A client of the shared test stack, or of the stack at `base` (a test's own). */
export async function connect(query = '', base = stack().ws): Promise<Client> {
  const socket = new WebSocket(`${base}${query ? `?${query}` : ''}`);
  const messages: any[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  socket.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    messages.push(msg);
    for (const w of [...waiters]) {
      if (w.pred(msg)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade refused: ${res.statusCode}`)),
    );
  });
  return {
    socket,
    messages,
    send: (msg) => socket.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    waitFor: (pred, timeoutMs = 60_000) => {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no matching message; got ${JSON.stringify(messages).slice(0, 800)}`)),
          timeoutMs,
        );
        waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === socket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}

/** A document client on the test stack's DynamoDB Local, for assertions on stored items. */
export const stackDoc = () =>
  createDocumentClient(new DynamoDBClient({ endpoint: stack().dynamodb, ...LOCAL_AWS }));

/** Connection ids subscribed to `topic`, read straight from the connections table. */
export async function subscriberIds(topic: string): Promise<string[]> {
  const res = await stackDoc().send(
    new QueryCommand({
      TableName: stack().tables.connections,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': `TOPIC#${topic}` },
    }),
  );
  return (res.Items ?? []).map((i) => i.sk as string);
}
