/**
 * `wsRoute` / `wsHandler` on their error paths, through the real Publisher over a mocked
 * Management API: what reaches the connection is the documented error message, built from the
 * same error factories, body parsing and error object as HTTP.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { AppError, errorBody } from '../../shared/domain/errors.ts';
import { parseBody } from '../../shared/domain/validation.ts';
import { wsHandler, wsRoute, type WsEvent, type WsRouteDeps } from '../../shared/ws/handler.ts';
import {
  instanceEventSchema,
  pingSchema,
  pongMessage,
  subscribeSchema,
  unknownAction,
  unsubscribedMessage,
  wsControlMessageSchema,
} from '../../shared/ws/protocol.ts';
import { Publisher } from '../../shared/ws/publisher.ts';

const api = mockClient(ApiGatewayManagementApiClient);
afterEach(() => api.reset());
// Other files share this process (vitest.config.ts): take the stub off the client class.
afterAll(() => api.restore());

/** The messages posted, decoded from the bytes the Management API received. */
const posted = () =>
  api
    .commandCalls(PostToConnectionCommand)
    .map((c) => JSON.parse(Buffer.from(c.args[0].input.Data as Uint8Array).toString('utf8')));

function publisher(disconnected: string[] = []): Publisher {
  api.on(PostToConnectionCommand).resolves({});
  return new Publisher(new ApiGatewayManagementApiClient({ region: 'us-east-1' }), {
    disconnect: async (id) => void disconnected.push(id),
  });
}

const deps = (): WsRouteDeps => ({
  publisher: publisher(),
  connections: {
    countMessage: async () => ({ count: 1, sub: 'anonymous' }),
    countPrincipalMessage: async () => 1,
  },
});

const event = (body: string): WsEvent => ({
  requestContext: {
    routeKey: 'subscribe',
    eventType: 'MESSAGE',
    connectionId: 'c1',
    requestId: 'r1',
    domainName: 'local',
    stage: 'ws',
  },
  body,
});

describe('wsRoute', () => {
  it('answers a message that is not JSON with BadRequest and keeps the connection', async () => {
    // Act
    const result = await wsRoute(deps(), subscribeSchema, async () => undefined)(event('{nope'));

    // Assess
    expect(result).toEqual({ statusCode: 200 });
    expect(posted()).toEqual([
      {
        type: 'error',
        error: {
          type: 'BadRequest',
          message: 'Messages must be JSON objects with an "action"',
          details: {},
        },
      },
    ]);
  });

  it('answers an invalid message with the 422 that parseBody gives HTTP, naming each field', async () => {
    // Prepare
    const body = { action: 'subscribe', topics: ['nope'], since_history_id: -1 };
    let handled = false;

    // Act
    await wsRoute(deps(), subscribeSchema, async () => {
      handled = true;
    })(event(JSON.stringify(body)));

    // Assess
    const http = (() => {
      try {
        parseBody(subscribeSchema, body);
      } catch (err) {
        return err as AppError;
      }
      throw new Error('parseBody accepted an invalid message');
    })();
    const [message] = posted();
    expect(handled).toBe(false);
    expect(wsControlMessageSchema.parse(message)).toEqual(message);
    const { request_id: _r, ...error } = errorBody(http, 'r1').error;
    expect(message).toEqual({ type: 'error', error });
    expect(message.error).toMatchObject({
      type: 'ValidationError',
      details: {
        'topics.0': 'must be "instances", "instance:<id>" or "operation:<id>"',
        since_history_id: expect.any(String),
      },
    });
  });

  it('answers JSON that is no object with BadRequest, whichever route took it', async () => {
    for (const body of ['[1,2]', '42', '"subscribe"', 'null']) {
      await wsHandler(deps(), async () => undefined)(event(body));
      await wsRoute(deps(), subscribeSchema, async () => undefined)(event(body));
    }
    const messages = posted();
    expect(messages).toHaveLength(8);
    for (const m of messages) expect(m.error.type).toBe('BadRequest');
  });

  it('names a __proto__ key, as HTTP does, and refuses unknown fields on every action', async () => {
    await wsRoute(
      deps(),
      subscribeSchema,
      async () => undefined,
    )(event('{"action":"subscribe","topics":["instances"],"__proto__":{"x":1}}'));
    await wsRoute(deps(), pingSchema, async () => undefined)(event('{"action":"ping","x":1}'));
    const [proto, ping] = posted();
    expect(proto.error).toMatchObject({
      type: 'ValidationError',
      details: { __proto__: '"__proto__" is not allowed as a key' },
    });
    expect(Object.keys(proto.error.details)).toEqual(['__proto__']);
    expect(ping.error).toMatchObject({ type: 'ValidationError', details: { x: 'unknown field' } });
  });

  it('hands a valid message to the handler, parsed', async () => {
    let got: unknown;
    await wsRoute(deps(), subscribeSchema, async ({ body }) => {
      got = body;
    })(event('{"action":"subscribe","topics":["instances"]}'));
    expect(got).toEqual({ action: 'subscribe', topics: ['instances'] });
    expect(posted()).toEqual([]);
  });

  it('answers a typed error with its error object, details and all', async () => {
    await wsRoute(deps(), subscribeSchema, async () => {
      throw new AppError(413, 'ResumeTooFar', 'Too far', { max_replay: 1000 });
    })(event('{"action":"subscribe","topics":["instances"]}'));
    expect(posted()).toEqual([
      {
        type: 'error',
        error: { type: 'ResumeTooFar', message: 'Too far', details: { max_replay: 1000 } },
      },
    ]);
  });

  it('answers an unexpected failure with InternalError and no internals', async () => {
    await wsRoute(deps(), subscribeSchema, async () => {
      throw new Error('secret table name');
    })(event('{"action":"subscribe","topics":["instances"]}'));
    expect(posted()).toEqual([
      {
        type: 'error',
        error: {
          type: 'InternalError',
          message: 'The message could not be processed',
          details: {},
        },
      },
    ]);
  });
});

describe('wsHandler ($default)', () => {
  it.each([
    ['an object with an unknown action', '{"action":"launch-missiles"}', 'launch-missiles'],
    ['an object without an action', '{"topics":[]}', undefined],
  ])('answers %s with the actions there are', async (_name, body, action) => {
    // Act
    await wsHandler(deps(), async ({ body: raw }) => {
      throw unknownAction(
        raw && typeof raw === 'object' ? (raw as { action?: unknown }).action : undefined,
      );
    })(event(body));

    // Assess
    expect(posted()).toEqual([
      {
        type: 'error',
        error: {
          type: 'UnknownAction',
          message: `Unknown action ${JSON.stringify(action ?? null)}`,
          details: { actions: ['subscribe', 'unsubscribe', 'ping'] },
        },
      },
    ]);
  });
});

describe('Publisher', () => {
  it('fans one encoded message out to every connection', async () => {
    // Act
    const result = await publisher().fanout(['a', 'b', 'c'], unsubscribedMessage(['instances']));

    // Assess
    expect(result).toEqual({ sent: 3, gone: 0, failed: 0 });
    expect(
      api.commandCalls(PostToConnectionCommand).map((c) => c.args[0].input.ConnectionId),
    ).toEqual(['a', 'b', 'c']);
    expect(posted()).toEqual(Array(3).fill({ type: 'unsubscribed', topics: ['instances'] }));
  });

  it('removes a connection the gateway no longer knows (410)', async () => {
    // Prepare
    const disconnected: string[] = [];
    const p = publisher(disconnected);
    api
      .on(PostToConnectionCommand, { ConnectionId: 'gone' })
      .rejects(new GoneException({ message: 'gone', $metadata: { httpStatusCode: 410 } }));

    // Act
    const result = await p.fanout(['live', 'gone'], pongMessage());

    // Assess
    expect(result).toEqual({ sent: 1, gone: 1, failed: 0 });
    expect(disconnected).toEqual(['gone']);
  });

  it('posts an instance event as its schema has it', async () => {
    const message = instanceEventSchema.parse({
      type: 'instance.deleted',
      history_id: 1,
      instance_id: 2,
      version: 3,
      operation_timestamp: '2026-10-01T09:40:12.345Z',
      actor: 'bob',
      changed_fields: [],
    });
    await publisher().post('c1', message);
    expect(posted()).toEqual([message]);
  });
});
