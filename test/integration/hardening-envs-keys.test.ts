/**
 * `envs` keys that are names of Object.prototype members. They are valid by the key rule
 * `^[A-Za-z_][A-Za-z0-9_]*$`, so each must round-trip exactly through every path that writes or
 * reads an instance, and none may produce a 5xx. (`constructor` used to be a 500: the DynamoDB
 * marshaller read `envs.constructor` to decide whether the value is a plain object.)
 * `__proto__` is the one such name that is refused: a 422 anywhere in a body (see
 * hardening-proto-keys.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { api, createInstance, eventually, stack, uniqueName } from '../support/api.ts';
import { parseCsv } from './history-support.ts';

const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
] as const;

/** Every prototype name as a key, with values that tell the versions apart. */
const envsOf = (tag: string): Record<string, string> =>
  Object.fromEntries([...PROTOTYPE_NAMES, 'PATH'].map((k) => [k, `${tag}-${k}`]));

/**
 * Own entries in key order: an exact comparison that cannot be fooled by a prototype member
 * standing in for a missing key (DynamoDB maps do not keep key order, so order is ignored).
 */
const entries = (v: unknown): [string, unknown][] => {
  expect(v).toBeTypeOf('object');
  return Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : 1));
};
const expectEnvs = (actual: unknown, expected: Record<string, string>) =>
  expect(entries(actual)).toEqual(entries(expected));

const getEnvs = async (id: number) => {
  const res = await api('GET', `/api/instances/${id}`);
  expect(res.status).toBe(200);
  return res.body.envs;
};

/** Every history record of an instance once there are `count`, oldest first. */
async function history(id: number, count: number): Promise<Record<string, any>[]> {
  return eventually(async () => {
    const res = await api('GET', `/api/instances/${id}/history?limit=100`);
    expect(res.status).toBe(200);
    const items = res.body.items as Record<string, any>[];
    return items.length === count ? items.sort((a, b) => a.version - b.version) : undefined;
  });
}

describe('envs keys named like Object.prototype members', () => {
  it('round-trip through create, PATCH, batch-update (both modes), bulk-update and GET', async () => {
    // Create
    const created = await api('POST', '/api/instances', {
      name: uniqueName('envs-proto'),
      model_name: 'm',
      cluster_name: 'c',
      image_tag: 't',
      envs: envsOf('v1'),
    });
    expect(created.status).toBe(201);
    expectEnvs(created.body.envs, envsOf('v1'));
    const id: number = created.body.id;
    expectEnvs(await getEnvs(id), envsOf('v1'));

    // PATCH
    const patched = await api('PATCH', `/api/instances/${id}`, { envs: envsOf('v2') });
    expect(patched.status).toBe(200);
    expectEnvs(patched.body.envs, envsOf('v2'));
    expectEnvs(await getEnvs(id), envsOf('v2'));

    // Batch update, one item at a time and atomically
    const each = await api('POST', '/api/instances/batch-update', {
      updates: [{ id, data: { envs: envsOf('v3') } }],
    });
    expect(each.status).toBe(200);
    expect(each.body).toMatchObject({
      succeeded: 1,
      failed: 0,
      results: [{ id, status: 'updated' }],
    });
    expectEnvs(await getEnvs(id), envsOf('v3'));
    const atomic = await api('POST', '/api/instances/batch-update?atomic=true', {
      updates: [{ id, data: { envs: envsOf('v4') } }],
    });
    expect(atomic.status).toBe(200);
    expect(atomic.body).toMatchObject({ succeeded: 1, failed: 0 });
    expectEnvs(await getEnvs(id), envsOf('v4'));

    // Bulk update as a long-running operation (the patch is stored on the operation item)
    const op = await api('POST', '/api/operations', {
      type: 'bulk-update',
      ids: [id],
      data: { envs: envsOf('v5') },
    });
    expect(op.status).toBe(202);
    expectEnvs(op.body.request.data.envs, envsOf('v5'));
    const done = await eventually(
      async () => {
        const res = await api('GET', `/api/operations/${op.body.operation_id}`);
        expect(res.status).toBe(200);
        return ['pending', 'running'].includes(res.body.status) ? undefined : res.body;
      },
      60_000,
      200,
    );
    expect(done).toMatchObject({ status: 'succeeded', succeeded: 1 });
    expectEnvs(done.request.data.envs, envsOf('v5'));
    const final = await api('GET', `/api/instances/${id}`);
    expect(final.body.version).toBe(5);
    expectEnvs(final.body.envs, envsOf('v5'));
  }, 90_000);

  it('round-trip through history, compare, export and restore (live and deleted)', async () => {
    // Prepare: v1 and v2 of an instance, then wait for both history records.
    const inst = await createInstance({ envs: envsOf('h1') });
    expect((await api('PATCH', `/api/instances/${inst.id}`, { envs: envsOf('h2') })).status).toBe(
      200,
    );
    const [r1, r2] = await history(inst.id, 2);

    // History: snapshots and changes hold every key exactly.
    expectEnvs(r1!.snapshot.envs, envsOf('h1'));
    expectEnvs(r2!.snapshot.envs, envsOf('h2'));
    expect(r2!.changed_fields).toEqual(['envs']);
    expectEnvs(r2!.changes.envs.old, envsOf('h1'));
    expectEnvs(r2!.changes.envs.new, envsOf('h2'));
    const one = await api('GET', `/api/history/${r1!.history_id}`);
    expect(one.status).toBe(200);
    expectEnvs(one.body.snapshot.envs, envsOf('h1'));

    // Compare: one `envs.KEY` difference per key, with both values.
    const cmp = await api('GET', `/api/history/compare/${r1!.history_id}/${r2!.history_id}`);
    expect(cmp.status).toBe(200);
    expect(cmp.body.differences).toEqual(
      Object.keys(envsOf('x'))
        .sort()
        .map((k) => ({
          field: `envs.${k}`,
          value1: `h1-${k}`,
          value2: `h2-${k}`,
          type: 'modified',
        })),
    );

    // Export: JSON and CSV carry the snapshots exactly.
    const json = await api('GET', `/api/instances/${inst.id}/history/export?format=json`);
    expect(json.status).toBe(200);
    expectEnvs(json.body.records[0].snapshot.envs, envsOf('h1'));
    expectEnvs(json.body.records[1].snapshot.envs, envsOf('h2'));
    const csv = await fetch(`${stack().url}/api/instances/${inst.id}/history/export?format=csv`);
    expect(csv.status).toBe(200);
    const [header, ...rows] = parseCsv(await csv.text());
    const snapshotColumn = header!.indexOf('snapshot');
    expectEnvs(JSON.parse(rows[0]![snapshotColumn]!).envs, envsOf('h1'));

    // Restore a live instance to v1…
    const restored = await api('POST', `/api/instances/${inst.id}/restore/${r1!.history_id}`);
    expect(restored.status).toBe(200);
    expectEnvs(restored.body.envs, envsOf('h1'));
    expectEnvs(await getEnvs(inst.id), envsOf('h1'));
    // …then delete it and re-create it from v2.
    expect((await api('DELETE', `/api/instances/${inst.id}`)).status).toBe(200);
    const recreated = await api('POST', `/api/instances/${inst.id}/restore/${r2!.history_id}`);
    expect(recreated.status).toBe(200);
    expectEnvs(recreated.body.envs, envsOf('h2'));
    expectEnvs(await getEnvs(inst.id), envsOf('h2'));

    // The restore and the delete are in history too, each with every key.
    const all = await history(inst.id, 5);
    expect(all.map((r) => r.operation_type)).toEqual([
      'create',
      'update',
      'restore',
      'delete',
      'restore',
    ]);
    expectEnvs(all[2]!.snapshot.envs, envsOf('h1'));
    expectEnvs(all[3]!.snapshot.envs, envsOf('h1'));
    expectEnvs(all[4]!.snapshot.envs, envsOf('h2'));
  }, 90_000);
});
