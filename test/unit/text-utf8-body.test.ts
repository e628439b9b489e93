/**
 * A request body that is not valid UTF-8 is a 400, not text with U+FFFD where the client's bytes
 * were. (Needs the strict decoding in shared/http/middleware.ts `jsonBody`; a gateway hands such
 * a body over base64-encoded, as it does any body it cannot pass on as text.)
 */
import { describe, expect, it } from 'vitest';
import type middy from '@middy/core';
import { AppError } from '../../shared/domain/errors.ts';
import {
  jsonBody,
  parsedBodyOf,
  type HttpEvent,
  type HttpResponse,
} from '../../shared/http/middleware.ts';

const post = (bytes: Uint8Array): HttpEvent =>
  ({
    version: '2.0',
    routeKey: 'POST /api/instances',
    rawPath: '/api/instances',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
    requestContext: { requestId: 'gw-req-1' },
  }) as unknown as HttpEvent;

/** Runs the body middleware on `bytes`: the parsed body, or the error it throws. */
async function parse(bytes: Uint8Array): Promise<unknown> {
  const event = post(bytes);
  const request = { event } as unknown as middy.Request<HttpEvent, HttpResponse, Error>;
  try {
    await jsonBody().before!(request);
  } catch (err) {
    return err;
  }
  return parsedBodyOf(event);
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('jsonBody and UTF-8', () => {
  it.each([
    ['a stray continuation byte', [0x80]],
    ['a Latin-1 é', [0xe9]],
    ['a truncated 3-byte sequence', [0xe2, 0x82]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a byte that never occurs in UTF-8', [0xff]],
  ])('answers 400 to a body with %s', async (_what, bad) => {
    const err = await parse(concat(utf8('{"name":"gpu-'), Uint8Array.from(bad), utf8('"}')));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((err as AppError).message).toBe('Request body is not valid UTF-8');
  });

  it('parses a valid UTF-8 body, multi-byte characters included', async () => {
    expect(await parse(utf8('{"name":"große-😀"}'))).toEqual({ name: 'große-😀' });
  });

  it('still refuses a byte order mark as malformed JSON', async () => {
    const err = await parse(concat(Uint8Array.from([0xef, 0xbb, 0xbf]), utf8('{}')));
    expect((err as AppError).message).toBe('Malformed JSON body');
  });
});
