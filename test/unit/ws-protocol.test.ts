/**
 * The WebSocket server messages: every builder's output is a message its schema (the one the
 * OpenAPI document and the client read) accepts unchanged, errors carry the HTTP error object,
 * and the action list is the route table's.
 */
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  badRequest,
  errorBody,
  validationError,
  type AppError,
} from '../../shared/domain/errors.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { wsRoutes, WS_ACTIONS } from '../../shared/config/ws-routes.ts';
import {
  errorMessage,
  instanceEventMessage,
  instanceEventSchema,
  MAX_MESSAGE_BYTES,
  operationProgressMessage,
  pingSchema,
  pongMessage,
  subscribedMessage,
  subscribeSchema,
  unknownAction,
  unsubscribedMessage,
  unsubscribeSchema,
  wsControlMessageSchema,
} from '../../shared/ws/protocol.ts';
import * as openapi from '../../shared/openapi/schemas.ts';
import { toView, type OperationItem } from '../../shared/ops/model.ts';
import type { OperationView } from '../../shared/ops/view.ts';
import { announcer } from '../../shared/ops/worker.ts';

/** Parsing strips keys a schema does not know: equal after parsing means nothing extra. */
const conforms = (schema: z.ZodMiniType, message: unknown) =>
  expect(schema.parse(message)).toEqual(message);

function historyRecord(overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    history_id: 7,
    instance_id: 42,
    original_id: 42,
    version: 2,
    operation_type: 'update',
    operation_timestamp: '2026-10-01T09:40:12.345Z',
    actor: 'bob',
    changed_fields: ['replicas'],
    changes: { replicas: { old: 1, new: 3 } },
    snapshot: { id: 42, name: 'llama', replicas: 3 },
    batch_id: 'b-1',
    ...overrides,
  };
}

const view: OperationView = {
  operation_id: '00000000-0000-4000-8000-000000000001',
  type: 'bulk-update',
  status: 'running',
  progress: 40,
  total: 10,
  processed: 4,
  succeeded: 4,
  failed: 0,
  errors: [],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:01.000Z',
  actor: 'tester',
  request: { type: 'bulk-update' },
};

/** The stored operation a progress message is announced for (its view is `toView(item)`). */
const item: OperationItem = {
  operation_id: view.operation_id,
  list_pk: 'O',
  type: 'bulk-update',
  status: 'running',
  actor: 'tester',
  request: { type: 'bulk-update', data: { replicas: 2 }, ids_count: 10 },
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:01.000Z',
  checkpoint_at: '2026-01-01T00:00:01.000Z',
  expires_at: 1,
  total: 10,
  chunk_count: 1,
  next_chunk: 0,
  processed: 4,
  succeeded: 4,
  failed: 0,
  progress: 40,
  errors: [],
  counts: {},
  seq: 2,
};

describe('control messages', () => {
  it('subscribed, with the resume summary only after a resume, in the documented key order', () => {
    // Prepare
    const live = subscribedMessage(['instances']);
    const resumed = subscribedMessage(['instance:42'], { replayed: 3, last_history_id: 1190 });

    // Assess
    conforms(wsControlMessageSchema, live);
    conforms(wsControlMessageSchema, resumed);
    expect(JSON.stringify(live)).toBe('{"type":"subscribed","topics":["instances"]}');
    expect(JSON.stringify(resumed)).toBe(
      '{"type":"subscribed","topics":["instance:42"],"replayed":3,"last_history_id":1190}',
    );
  });

  it('unsubscribed and pong', () => {
    conforms(wsControlMessageSchema, unsubscribedMessage(['instance:1']));
    const pong = pongMessage(new Date('2026-10-01T09:40:13.000Z'));
    conforms(wsControlMessageSchema, pong);
    expect(pong).toEqual({ type: 'pong', time: '2026-10-01T09:40:13.000Z' });
  });

  it.each<[string, AppError]>([
    ['with details', validationError('Request validation failed', { 'topics.0': 'must be …' })],
    ['without details', badRequest('Messages must be JSON objects with an "action"')],
  ])('error %s: the HTTP error object, without the request id', (_name, err) => {
    // Act
    const message = errorMessage(err);

    // Assess
    conforms(wsControlMessageSchema, message);
    const { request_id: _r, ...httpError } = errorBody(err, 'req-1').error;
    expect(message).toEqual({ type: 'error', error: httpError });
    // Always there, empty when the message says it all.
    expect(message.error.details).toEqual(err.details ?? {});
    // The HTTP body it shares the error object with is the documented Error schema.
    conforms(openapi.errorSchema, errorBody(err, 'req-1'));
  });
});

describe('instanceEventMessage', () => {
  it.each([
    ['create', 'instance.created'],
    ['update', 'instance.updated'],
    ['delete', 'instance.deleted'],
    ['restore', 'instance.restored'],
  ] as const)('names a %s record %s', (op, type) => {
    const message = instanceEventMessage(historyRecord({ operation_type: op }));
    conforms(instanceEventSchema, message);
    expect(message.type).toBe(type);
  });

  it('carries the optional fields a record has, and none it lacks', () => {
    const plain = instanceEventMessage(historyRecord());
    expect(Object.keys(plain)).toEqual([
      'type',
      'history_id',
      'instance_id',
      'version',
      'operation_timestamp',
      'actor',
      'changed_fields',
      'changes',
      'instance',
    ]);
    const full = instanceEventMessage(
      historyRecord({ restored_from: 3, operation_id: 'op-1', reason: 'why', copied_from: 9 }),
    );
    conforms(instanceEventSchema, full);
    expect(full).toMatchObject({
      restored_from: 3,
      operation_id: 'op-1',
      reason: 'why',
      copied_from: 9,
    });
  });

  it('sends only the header, marked truncated, when the message would pass the size limit', () => {
    // Prepare: a snapshot just too large for one message.
    const big = 'x'.repeat(MAX_MESSAGE_BYTES);
    const record = historyRecord({ snapshot: { id: 42, description: big } });

    // Act
    const message = instanceEventMessage(record);

    // Assess
    conforms(instanceEventSchema, message);
    expect(message).toMatchObject({ history_id: 7, truncated: true });
    expect(message).not.toHaveProperty('changes');
    expect(message).not.toHaveProperty('instance');
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(MAX_MESSAGE_BYTES);
  });
});

describe('operationProgressMessage', () => {
  it('is the operation view named as a progress message, in the bytes subscribers always got', () => {
    const message = operationProgressMessage(view);
    conforms(openapi.operationProgressSchema, message);
    expect(message).toMatchObject({ type: 'operation.progress', operation_type: 'bulk-update' });
    // What shared/ops encoded itself before it used this builder, key order included.
    expect(JSON.stringify(message)).toBe(
      JSON.stringify({ ...view, type: 'operation.progress', operation_type: view.type }),
    );
  });

  it('is what shared/ops announces to the subscribers of the operation', async () => {
    // Prepare
    const fanned: { ids: readonly string[]; message: unknown }[] = [];
    const announce = announcer({
      subscribers: async (topic) =>
        topic === `operation:${item.operation_id}` ? ['c1', 'c2'] : [],
      fanout: async (ids, message) => fanned.push({ ids, message }),
    });

    // Act
    await announce(item);

    // Assess
    expect(fanned).toEqual([
      { ids: ['c1', 'c2'], message: operationProgressMessage(toView(item)) },
    ]);
    conforms(openapi.operationProgressSchema, fanned[0]!.message);
  });
});

describe('schemas', () => {
  it('are the objects the OpenAPI module exports (one declaration, re-exported)', () => {
    expect(openapi.instanceEventSchema).toBe(instanceEventSchema);
    expect(openapi.wsControlMessageSchema).toBe(wsControlMessageSchema);
  });
});

describe('topics', () => {
  it('name only ids that can exist: instance ids below a billion, operation UUIDs', () => {
    const op = '3f2b8c1e-9a4d-4f6b-8e2a-1c5d7f9b0a12';
    const parses = (topic: string) =>
      subscribeSchema.safeParse({ action: 'subscribe', topics: [topic] }).success;
    for (const ok of ['instances', 'instance:1', 'instance:999999999', `operation:${op}`])
      expect(parses(ok), ok).toBe(true);
    for (const bad of ['instance:0', 'instance:1000000000', 'operation:abc', `operation:${op}x`])
      expect(parses(bad), bad).toBe(false);
  });
});

describe('actions', () => {
  it('are the routes of shared/config/ws-routes.ts that are not `$` routes', () => {
    expect(WS_ACTIONS).toEqual(
      wsRoutes
        .map((r) => r.routeKey)
        .filter((k) => !['$connect', '$disconnect', '$default'].includes(k)),
    );
  });

  it('each have a message schema whose action is the route key', () => {
    const byAction = new Map<string, z.ZodMiniType>([
      ['subscribe', subscribeSchema],
      ['unsubscribe', unsubscribeSchema],
      ['ping', pingSchema],
    ]);
    expect([...byAction.keys()].sort()).toEqual([...WS_ACTIONS].sort());
    for (const [action, schema] of byAction) {
      const message = action === 'ping' ? { action } : { action, topics: ['instances'] };
      expect(schema.safeParse(message).success, action).toBe(true);
      expect(schema.safeParse({ ...message, action: 'other' }).success, action).toBe(false);
    }
  });

  it('are what an unknown action is told', () => {
    const err = unknownAction('launch-missiles');
    expect(err).toMatchObject({
      status: 400,
      type: 'UnknownAction',
      message: 'Unknown action "launch-missiles"',
      details: { actions: [...WS_ACTIONS] },
    });
    expect(unknownAction(undefined).message).toBe('Unknown action null');
  });
});
