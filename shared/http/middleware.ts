/**
 * The middy middlewares every HTTP handler shares. `http()` in ./route.ts wires them in one
 * place; a handler file never builds a response by hand.
 */
import type middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import {
  AppError,
  badRequest,
  errorBody,
  payloadTooLarge,
  serviceUnavailable,
  throttled,
  unsupportedMediaType,
} from '../domain/errors.ts';
import { isTransient } from '../aws/errors.ts';
import { MAX_BODY_BYTES } from '../config/body.ts';
import {
  exceedsLambdaResponse,
  LAMBDA_RESPONSE_LIMIT,
  lambdaResponseBytes,
} from '../config/lambda.ts';
import { logger } from '../log.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};
type Request = middy.Request<HttpEvent, HttpResponse, Error>;

/** `ignoreBOM`: a BOM stays in the text, so JSON.parse refuses it as before. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Starts with a letter or digit, so an echoed id can never look like a spreadsheet formula.
const REQUEST_ID = /^[A-Za-z0-9][\w.:/=+-]{0,127}$/;

/** The caller's `X-Request-Id` when it is sane, else API Gateway's own id. */
export function requestIdOf(event: HttpEvent): string {
  const sent = event.headers?.['x-request-id'];
  return sent && REQUEST_ID.test(sent) ? sent : event.requestContext.requestId;
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** An error as an HTTP response; the body is shared/domain/errors.ts `errorBody`. */
export function errorResponse(err: AppError, requestId: string): HttpResponse {
  return json(err.status, errorBody(err, requestId), err.headers);
}

/**
 * A HEAD request ran the GET handler (shared/routes/define.ts, routeKeysOf): same status and headers, no
 * body (RFC 9110 §9.3.2). Dropped here, for errors too, so no handler needs to know.
 */
function withoutBodyForHead(request: Request): void {
  if (request.event.requestContext?.http?.method !== 'HEAD' || !request.response) return;
  request.response.body = '';
  delete request.response.isBase64Encoded;
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** Adds `X-Request-Id` to every response and renders thrown errors in the SPEC shape. */
export function httpEnvelope(): middy.MiddlewareObj<HttpEvent, HttpResponse, Error> {
  const finish = (request: Request) => {
    const id = requestIdOf(request.event);
    if (request.response && exceedsLambdaResponse(request.response)) {
      // API Gateway would answer a bare 502; say what happened and what to ask for instead.
      logger.warn('response too large for API Gateway', {
        response_bytes: lambdaResponseBytes(request.response),
      });
      request.response = errorResponse(responseTooLarge(), id);
    }
    if (request.response)
      request.response.headers = { ...request.response.headers, 'x-request-id': id };
    withoutBodyForHead(request);
  };
  return {
    before: (request) => {
      logger.appendKeys({ request_id: requestIdOf(request.event), route: request.event.routeKey });
    },
    after: finish,
    onError: (request) => {
      const err = request.error;
      const id = requestIdOf(request.event);
      let appError: AppError;
      if (err instanceof AppError) {
        appError = err;
        if (err.status >= 500) logger.error('request failed', { error: err });
      } else if (err && THROTTLING.has(err.name)) {
        logger.warn('throttled by DynamoDB', { error: err.name });
        appError = throttled(1);
      } else if (isTransient(err)) {
        // The database is unreachable or failing for now: 503 tells the client to retry (an
        // Idempotency-Key makes a retried write safe), where a 500 would say the request is broken.
        logger.warn('dependency unavailable', { error: err });
        appError = serviceUnavailable(1);
      } else {
        logger.error('unexpected error', { error: err });
        appError = new AppError(500, 'InternalError', 'Internal server error');
      }
      request.response = errorResponse(appError, id);
      finish(request);
    },
  };
}

const responseTooLarge = () =>
  payloadTooLarge(
    `The response would pass the ${LAMBDA_RESPONSE_LIMIT / 1024 / 1024} MB API Gateway can return; ask for less (a smaller limit, fewer records)`,
    { max_bytes: LAMBDA_RESPONSE_LIMIT },
  );

/**
 * Enforces size (413), media type (415) and JSON syntax (400) on requests that carry a body;
 * `maxBytes` is the route's limit (MAX_BODY_BYTES unless it declares a larger one).
 */
export function jsonBody(
  maxBytes = MAX_BODY_BYTES,
): middy.MiddlewareObj<HttpEvent, HttpResponse, Error> {
  return {
    before: (request) => {
      const { event } = request;
      const raw = event.body;
      if (raw === undefined || raw === null || raw === '') {
        (event as { parsedBody?: unknown }).parsedBody = undefined;
        return;
      }
      const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (bytes.length > maxBytes) {
        throw payloadTooLarge(`Request body exceeds ${maxBytes} bytes`, {
          max_bytes: maxBytes,
          received_bytes: bytes.length,
        });
      }
      const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json' && !type?.endsWith('+json')) {
        throw unsupportedMediaType('Content-Type must be application/json');
      }
      let text: string;
      try {
        // Strict: Buffer#toString would turn bytes that are not UTF-8 into U+FFFD and store
        // text the client never sent.
        text = UTF8.decode(bytes);
      } catch {
        throw badRequest('Request body is not valid UTF-8');
      }
      try {
        (event as { parsedBody?: unknown }).parsedBody = JSON.parse(text);
      } catch {
        throw badRequest('Malformed JSON body');
      }
    },
  };
}

export const parsedBodyOf = (event: HttpEvent): unknown =>
  (event as { parsedBody?: unknown }).parsedBody;
