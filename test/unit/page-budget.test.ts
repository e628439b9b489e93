/** A list page's share of the Lambda response, counted as API Gateway counts it. */
import { describe, expect, it } from 'vitest';
import { LAMBDA_RESPONSE_LIMIT, lambdaResponseBytes } from '../../shared/config/lambda.ts';
import { MAX_PAGE_BYTES, PageBudget, responseBytesOf } from '../../shared/repo/page-budget.ts';

describe('page budget', () => {
  it('counts an item as it travels: JSON, escaped again inside the response, UTF-8', () => {
    expect(responseBytesOf({ a: 'x' })).toBe('{\\"a\\":\\"x\\"},'.length);
    expect(responseBytesOf('€')).toBe(Buffer.byteLength('\\"€\\",'));
    // The sum of the items is what the page adds to a response that carries them.
    const items = [{ name: 'a"b' }, { name: 'ünï' }, { envs: { K: 'v'.repeat(100) } }];
    const empty = lambdaResponseBytes({ body: JSON.stringify({ items: [] }) });
    const full = lambdaResponseBytes({ body: JSON.stringify({ items }) });
    const counted = items.reduce((n, i) => n + responseBytesOf(i), 0);
    expect(full - empty).toBe(counted - 1); // no comma after the last item
  });

  it('takes items until the next would pass the budget, and always the first', () => {
    const budget = new PageBudget(100);
    const big = { v: 'x'.repeat(200) };
    expect(budget.take(big)).toBe(true);
    expect(budget.take({ v: 1 })).toBe(false);

    const small = new PageBudget(3 * responseBytesOf({ v: 1 }));
    expect([1, 2, 3, 4].map(() => small.take({ v: 1 }))).toEqual([true, true, true, false]);
  });

  it('leaves room under the Lambda response limit for the envelope', () => {
    expect(MAX_PAGE_BYTES).toBeLessThan(LAMBDA_RESPONSE_LIMIT - 512 * 1024);
  });
});
