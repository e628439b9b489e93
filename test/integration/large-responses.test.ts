/**
 * Responses API Gateway could not return (over 6 MB once inside the Lambda response): list pages
 * end early with a cursor, so a fleet of large instances still lists, and what cannot be paged
 * is a 413 in the error shape. Each instance here is near the 64 KiB body limit.
 */
import { describe, expect, it } from 'vitest';
import {
  api,
  historyThrough,
  uniqueName,
  validInstance,
  type ApiResponse,
} from '../support/api.ts';

const ENV_VALUE = 4_000;
/** ~62 KB of JSON: 15 variables of 4,000 characters and a 2,000-character description. */
const bigEnvs = (seed: string) =>
  Object.fromEntries(
    Array.from({ length: 15 }, (_, k) => [`VAR_${k}`, `${seed}-${k}-`.padEnd(ENV_VALUE, 'v')]),
  );

/** Runs `fn` over `items`, `width` at a time (a burst of 90 would only queue at the gateway). */
async function pool<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width)
    out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

/** Every page of `path` (which has a query string), following `next_cursor`. */
async function allPages(path: string): Promise<{ counts: number[]; ids: (number | string)[] }> {
  const counts: number[] = [];
  const ids: (number | string)[] = [];
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await api(
      'GET',
      `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    counts.push(res.body.items.length);
    ids.push(
      ...res.body.items.map((i: { id?: number; operation_id?: string }) => i.id ?? i.operation_id!),
    );
    cursor = res.body.next_cursor;
  } while (cursor);
  return { counts, ids };
}

const COUNT = 90; // 90 × ~62 KB: more than one response can carry

describe('responses larger than API Gateway returns', () => {
  it(
    'end an instance list page early, with a cursor to the rest',
    { timeout: 120_000 },
    async () => {
      const cluster = uniqueName('big');
      const created = await pool([...Array(COUNT).keys()], 6, async (i) => {
        const res = await api(
          'POST',
          '/api/instances',
          validInstance({
            cluster_name: cluster,
            description: 'd'.repeat(2_000),
            envs: bigEnvs(`i${i}`),
          }),
        );
        expect(res.status, res.text.slice(0, 300)).toBe(201);
        return res.body.id as number;
      });

      const { counts, ids } = await allPages(`/api/instances?cluster_name=${cluster}&limit=100`);
      // The first page stopped at the budget, not at the limit, and the rest followed.
      expect(counts[0]).toBeLessThan(COUNT);
      expect(counts.length).toBeGreaterThan(1);
      expect(ids.toSorted()).toEqual(created.toSorted());
    },
  );

  it(
    'end an operations list page early, with a cursor to the rest',
    { timeout: 120_000 },
    async () => {
      // Each operation echoes its request's data; these target an id no instance has.
      const mine = await pool([...Array(COUNT).keys()], 6, async (i) => {
        const res = await api('POST', '/api/operations', {
          type: 'bulk-update',
          ids: [999_999_999],
          data: { description: 'd'.repeat(2_000), envs: bigEnvs(`o${i}`) },
        });
        expect(res.status, res.text.slice(0, 300)).toBe(202);
        return res.body.operation_id as string;
      });

      // Other files create operations too: follow pages until every one of these was listed once.
      const seen = new Map<string, number>();
      let cursor: string | null = null;
      let first: { count: number; more: boolean } | undefined;
      do {
        const res: ApiResponse = await api(
          'GET',
          `/api/operations?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status, res.text.slice(0, 300)).toBe(200);
        first ??= { count: res.body.items.length, more: res.body.next_cursor !== null };
        for (const op of res.body.items as { operation_id: string }[])
          if (mine.includes(op.operation_id))
            seen.set(op.operation_id, (seen.get(op.operation_id) ?? 0) + 1);
        cursor = res.body.next_cursor;
      } while (cursor && seen.size < mine.length);
      // Short of the limit, yet with more to come: the page stopped at the budget.
      expect(first).toMatchObject({ more: true });
      expect(first!.count).toBeLessThan(100);
      expect([...seen.keys()].toSorted()).toEqual(mine.toSorted());
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    },
  );

  it(
    'are a 413 in the error shape where the answer cannot be paged',
    { timeout: 120_000 },
    async () => {
      const created = await api(
        'POST',
        '/api/instances',
        validInstance({ description: 'd'.repeat(2_000), envs: bigEnvs('v1') }),
      );
      expect(created.status).toBe(201);
      const id = created.body.id as number;
      for (let v = 2; v <= 20; v++) {
        const res = await api('PATCH', `/api/instances/${id}`, { envs: bigEnvs(`v${v}`) });
        expect(res.status, res.text.slice(0, 300)).toBe(200);
      }
      const history = await historyThrough(id, 20);
      const record_ids = history.map((r) => r.history_id);

      const res = await api(
        'POST',
        '/api/history/batch-compare',
        { record_ids },
        {
          'x-request-id': 'batch-compare-big',
        },
      );
      expect(res.status).toBe(413);
      expect(res.headers.get('x-request-id')).toBe('batch-compare-big');
      expect(res.body.error).toMatchObject({
        type: 'PayloadTooLarge',
        details: { max_bytes: 6 * 1024 * 1024 },
        request_id: 'batch-compare-big',
      });
      // Fewer records fit.
      const few = await api('POST', '/api/history/batch-compare', {
        record_ids: record_ids.slice(0, 5),
      });
      expect(few.status).toBe(200);
    },
  );
});
