import { describe, expect, it } from 'vitest';
import { QueryClient } from '@tanstack/react-query';
import type { Instance, InstanceEvent, InstanceList } from '../../client/index.ts';
import { applyInstanceEvent } from '../../web/src/features/instances/live/apply-event.ts';
import { instanceKeys } from '../../web/src/features/instances/api/keys.ts';
import { anInstance } from '../support/instance-fixture.ts';

const inst = (id: number, over: Partial<Instance> = {}): Instance =>
  anInstance({
    id,
    name: `i-${id}`,
    model_name: 'llama',
    cluster_name: 'c1',
    image_tag: 'vllm:1',
    ...over,
  });

const event = (
  over: Partial<InstanceEvent> & Pick<InstanceEvent, 'type' | 'instance_id'>,
): InstanceEvent => ({
  history_id: 100,
  version: 2,
  operation_timestamp: '2026-01-01T00:00:01.000Z',
  actor: 'bob',
  changed_fields: [],
  ...over,
});

const page = (items: Instance[]): InstanceList => ({
  items,
  count: items.length,
  limit: 50,
  next_cursor: null,
});

function setup() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const byCreated = { limit: 50, sort_by: 'created_at', sort_order: 'desc' } as const;
  const activeOnly = { ...byCreated, status: ['active' as const] };
  qc.setQueryData(instanceKeys.list(byCreated), page([inst(1), inst(2)]));
  qc.setQueryData(instanceKeys.list(activeOnly), page([inst(1), inst(2)]));
  qc.setQueryData(instanceKeys.detail(1), inst(1));
  const isInvalid = (q: object) => qc.getQueryState(instanceKeys.list(q as never))?.isInvalidated;
  return { qc, byCreated, activeOnly, isInvalid };
}

describe('applyInstanceEvent', () => {
  it('updates a row and the detail in place when the change moves nothing', () => {
    const { qc, byCreated, activeOnly, isInvalid } = setup();
    const next = inst(1, { version: 2, replicas: 4 });
    applyInstanceEvent(
      qc,
      event({
        type: 'instance.updated',
        instance_id: 1,
        changed_fields: ['replicas'],
        instance: next,
      }),
    );
    expect(qc.getQueryData<InstanceList>(instanceKeys.list(byCreated))?.items[0]?.replicas).toBe(4);
    expect(qc.getQueryData<Instance>(instanceKeys.detail(1))?.replicas).toBe(4);
    expect(isInvalid(byCreated)).toBe(false);
    expect(isInvalid(activeOnly)).toBe(false);
  });

  it('never replaces a newer cached version with an older one', () => {
    const { qc } = setup();
    qc.setQueryData(instanceKeys.detail(1), inst(1, { version: 5, replicas: 9 }));
    applyInstanceEvent(
      qc,
      event({
        type: 'instance.updated',
        instance_id: 1,
        version: 3,
        changed_fields: ['replicas'],
        instance: inst(1, { version: 3, replicas: 2 }),
      }),
    );
    expect(qc.getQueryData<Instance>(instanceKeys.detail(1))?.replicas).toBe(9);
  });

  it('updates the row and lets the server re-filter a list whose filter the change touches', () => {
    const { qc, byCreated, activeOnly, isInvalid } = setup();
    const next = inst(2, { version: 2, status: 'error' });
    applyInstanceEvent(
      qc,
      event({
        type: 'instance.updated',
        instance_id: 2,
        changed_fields: ['status'],
        instance: next,
      }),
    );
    expect(qc.getQueryData<InstanceList>(instanceKeys.list(activeOnly))?.items[1]?.status).toBe(
      'error',
    );
    expect(isInvalid(activeOnly)).toBe(true);
    expect(isInvalid(byCreated)).toBe(false);
  });

  it('removes a deleted row at once from every list that shows it', () => {
    const { qc, byCreated, activeOnly } = setup();
    applyInstanceEvent(qc, event({ type: 'instance.deleted', instance_id: 1, instance: inst(1) }));
    expect(
      qc.getQueryData<InstanceList>(instanceKeys.list(byCreated))?.items.map((i) => i.id),
    ).toEqual([2]);
    expect(
      qc.getQueryData<InstanceList>(instanceKeys.list(activeOnly))?.items.map((i) => i.id),
    ).toEqual([2]);
    expect(qc.getQueryState(instanceKeys.detail(1))?.isInvalidated).toBe(true);
  });

  it('asks the server whether a created instance belongs on each page', () => {
    const { qc, byCreated, activeOnly, isInvalid } = setup();
    const result = applyInstanceEvent(
      qc,
      event({ type: 'instance.created', instance_id: 3, version: 1, instance: inst(3) }),
    );
    expect(result.invalidatedLists).toBe(2);
    expect(isInvalid(byCreated)).toBe(true);
    expect(isInvalid(activeOnly)).toBe(true);
    expect(qc.getQueryData<Instance>(instanceKeys.detail(3))?.name).toBe('i-3');
  });

  it('refetches what a truncated message (no instance) changed', () => {
    const { qc, byCreated, isInvalid } = setup();
    applyInstanceEvent(
      qc,
      event({
        type: 'instance.updated',
        instance_id: 1,
        changed_fields: ['envs'],
        truncated: true,
      }),
    );
    expect(qc.getQueryState(instanceKeys.detail(1))?.isInvalidated).toBe(true);
    expect(isInvalid(byCreated)).toBe(true);
  });
});
