/** The k-way merge behind every sharded read (shared/repo/merge.ts), without DynamoDB. */
import { describe, expect, it } from 'vitest';
import { Head, anyLeft, merged, pageLimit, type HeadPage } from '../../shared/repo/merge.ts';

/** A head over scripted pages, counting its fetches. */
function headOf(pages: number[][], prefetch = false) {
  const left = pages.map((p) => [...p]);
  const calls = { n: 0 };
  const head = new Head<number>(async (): Promise<HeadPage<number>> => {
    calls.n++;
    const items = left.shift() ?? [];
    return { items, more: left.length > 0 };
  }, prefetch);
  return { head, calls };
}

async function all<T>(it: AsyncIterable<{ item: T }>): Promise<T[]> {
  const out: T[] = [];
  for await (const { item } of it) out.push(item);
  return out;
}

const ascending = (a: number, b: number) => a < b;

describe('merged', () => {
  it('interleaves the heads in order, empty pages and empty heads included', async () => {
    const a = headOf([[1, 4], [], [9]]);
    const b = headOf([[2, 3, 10]]);
    const c = headOf([[]]);
    expect(await all(merged([a.head, b.head, c.head], ascending))).toEqual([1, 2, 3, 4, 9, 10]);
    expect([a.calls.n, b.calls.n, c.calls.n]).toEqual([3, 1, 1]);
  });

  it('reads nothing more once the caller stops', async () => {
    const a = headOf([[1], [3], [5]]);
    const b = headOf([[2], [4]]);
    const walk = merged([a.head, b.head], ascending);
    expect((await walk.next()).value).toEqual({ item: 1, head: 0 });
    await walk.return(undefined);
    // The first fill of each head, and nothing for the entry after 1.
    expect([a.calls.n, b.calls.n]).toEqual([1, 1]);
  });

  it('fetches a running-low head ahead, one page at a time and in order', async () => {
    const a = headOf(
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [9, 10],
      ],
      true,
    );
    const walk = merged([a.head], ascending);
    const first = [];
    for (let i = 0; i < 6; i++) first.push((await walk.next()).value!.item);
    // 2 left of 8 (a quarter): the next page is already asked for.
    expect(a.calls.n).toBe(2);
    expect([...first, ...(await all(walk))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(a.calls.n).toBe(2);
  });

  it('hands a failed prefetch to the fill that needs it, and to no one else', async () => {
    let n = 0;
    const head = new Head<number>(async () => {
      n++;
      if (n === 2) throw new Error('throttled');
      return { items: n === 1 ? [1, 2] : [], more: true };
    }, true);
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const walk = merged([head], ascending);
      expect((await walk.next()).value!.item).toBe(1);
      // Taking 2 empties the buffer: the prefetch starts, fails, and waits for a fill.
      expect((await walk.next()).value!.item).toBe(2);
      await new Promise((r) => setImmediate(r));
      await expect(walk.next()).rejects.toThrow('throttled');
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('Head.fill', () => {
  it('asks for a failed page again on the next fill', async () => {
    let n = 0;
    const head = new Head<number>(async () => {
      n++;
      if (n === 1) throw new Error('timeout');
      return { items: [7], more: false };
    });
    await expect(head.fill()).rejects.toThrow('timeout');
    await head.fill();
    expect([head.take(), head.exhausted, n]).toEqual([7, true, 2]);
  });
});

describe('anyLeft', () => {
  it('answers from a buffered entry without a query, else fills to find out', async () => {
    const a = headOf([[1], [2]]);
    await a.head.fill();
    expect(await anyLeft([a.head])).toBe(true);
    expect(a.calls.n).toBe(1);
    a.head.take();
    expect(await anyLeft([a.head])).toBe(true);
    a.head.take();
    expect(await anyLeft([a.head])).toBe(false);
  });
});

describe('pageLimit', () => {
  it('starts at an even share and half again, doubling per page of the same head', () => {
    expect([0, 1, 2, 3].map((f) => pageLimit(100, 17, f))).toEqual([10, 20, 40, 80]);
    expect(pageLimit(100, 17, 4)).toBe(100);
    expect(pageLimit(1, 9, 0)).toBe(1);
  });
});
