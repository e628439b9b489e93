/**
 * Calls a route in-process the way the local API Gateway does: the request goes through
 * `handleHttp` (infra/local/apigw-http.ts), which builds the real payload-2.0 event, routes it
 * with the shared route table and invokes the warm handler module. Only the socket is left
 * out: the request is a stream object carrying what `handleHttp` reads, and the response
 * object captures what it writes. Latency is therefore handler time plus the event building,
 * without HTTP parsing or loopback networking.
 */
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleHttp, type Authorizer } from '../infra/local/apigw-http.ts';

export interface BenchResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What API Gateway's JWT authorizer passes on for a caller holding every scope. */
const benchCaller: Authorizer = async () => ({
  sub: 'bench',
  scope: 'instances:read instances:write instances:admin',
});

class CapturedResponse {
  status = 0;
  headers: Record<string, string> = {};
  body = '';
  headersSent = false;

  writeHead(status: number, headers: Record<string, string> = {}): this {
    this.status = status;
    this.headers = headers;
    this.headersSent = true;
    return this;
  }

  end(chunk?: Buffer | string): this {
    if (chunk !== undefined) this.body = chunk.toString();
    return this;
  }
}

export async function invoke(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<BenchResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const rawHeaders = [
    'Host',
    'bench.local',
    'User-Agent',
    'inference-instances-bench',
    ...(payload ? ['Content-Type', 'application/json'] : []),
    ...Object.entries(headers).flat(),
  ];
  const req = Object.assign(Readable.from(payload ? [payload] : []), {
    method,
    url: path,
    httpVersion: '1.1',
    rawHeaders,
    socket: { remoteAddress: '127.0.0.1' },
  });
  const res = new CapturedResponse();
  await handleHttp(req as unknown as IncomingMessage, res as unknown as ServerResponse, {
    authorizer: benchCaller,
    domainName: 'bench.local',
    // No browser origin: API Gateway adds no CORS headers.
    corsOrigins: [],
  });
  return { status: res.status, headers: res.headers, body: res.body };
}

/** Calls a route and fails loudly unless it answers `expected`. */
export async function call<T = Record<string, unknown>>(
  expected: number,
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T> {
  const res = await invoke(method, path, body, headers);
  if (res.status !== expected) {
    throw new Error(
      `${method} ${path} → ${res.status} (expected ${expected}): ${res.body.slice(0, 300)}`,
    );
  }
  return (res.body ? JSON.parse(res.body) : undefined) as T;
}
