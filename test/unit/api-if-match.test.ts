/**
 * `If-Match` per RFC 9110 §13.1.1: `*` or a list of entity tags, compared strongly (a weak tag
 * never matches); a malformed value is a 400, not a 412 with `expected_version: -1`.
 */
import { describe, expect, it, vi } from 'vitest';
import { expectedVersion, parseEntityTags } from '../../shared/http/responses.ts';
import { AppError } from '../../shared/domain/errors.ts';

const at = (version: number) => vi.fn(async () => ({ id: 42, version }));

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('parseEntityTags', () => {
  it.each([
    ['"3"', [{ weak: false, opaque: '3' }]],
    ['W/"3"', [{ weak: true, opaque: '3' }]],
    [
      '"1", W/"2" ,"3"',
      [
        { weak: false, opaque: '1' },
        { weak: true, opaque: '2' },
        { weak: false, opaque: '3' },
      ],
    ],
    // Empty list elements are allowed (RFC 9110 §5.6.1), and a comma may sit inside a tag.
    [', "1", ,', [{ weak: false, opaque: '1' }]],
    ['"a,b"', [{ weak: false, opaque: 'a,b' }]],
  ])('%j → %j', (value, tags) => {
    expect(parseEntityTags(value)).toEqual(tags);
  });

  it('reads * alone as any', () => {
    expect(parseEntityTags(' * ')).toBe('*');
  });

  it.each(['banana', '3', '"3', '3"', 'W/3', 'w/"3"', 'W/ "3"', '"1" "2"', '*, "1"', '', ' , '])(
    '%j is malformed',
    (value) => {
      expect(parseEntityTags(value)).toBeUndefined();
    },
  );
});

describe('expectedVersion', () => {
  it('without the header or with * demands nothing and reads nothing', async () => {
    const read = at(5);
    expect(await expectedVersion(undefined, read)).toBeUndefined();
    expect(await expectedVersion('*', read)).toBeUndefined();
    expect(read).not.toHaveBeenCalled();
  });

  it('demands the one version a strong tag names, without a read', async () => {
    const read = at(5);
    expect(await expectedVersion('"3"', read)).toBe(3);
    expect(read).not.toHaveBeenCalled();
  });

  it('answers 400 to a malformed value', async () => {
    // Act
    const err = await rejection(expectedVersion('banana', at(1)));
    // Assess
    expect(err.status).toBe(400);
    expect(err.details).toEqual({
      'if-match': 'must be * or a list of quoted entity tags, e.g. "3" (the ETag of a read)',
    });
  });

  it('answers 412 to a weak tag, even one naming the current version', async () => {
    // Act
    const err = await rejection(expectedVersion('W/"2"', at(2)));
    // Assess
    expect(err.status).toBe(412);
    expect(err.details).toEqual({
      id: 42,
      current_version: 2,
      'if-match': 'weak entity tags never match If-Match (strong comparison, RFC 9110 §13.1.1)',
    });
  });

  it('ignores weak tags in a list with a strong one', async () => {
    expect(await expectedVersion('W/"2", "3"', at(2))).toBe(3);
  });

  it('answers 412 to well-formed tags that name no version', async () => {
    const err = await rejection(expectedVersion('"abc"', at(2)));
    expect(err.status).toBe(412);
    expect(err.details).toMatchObject({ 'if-match': 'names no version' });
  });

  it('with several versions demands the listed one the instance is at', async () => {
    const read = at(2);
    expect(await expectedVersion('"1", "2"', read)).toBe(2);
    expect(read).toHaveBeenCalledOnce();
  });

  it('with several versions, none current, demands the first (its check fails: 412)', async () => {
    expect(await expectedVersion('"7", "8"', at(2))).toBe(7);
    expect(await expectedVersion('"7", "8"', async () => undefined)).toBe(7);
  });
});
