import { matchRoute } from '../../shared/config/routes.ts';
import { methodNotAllowed, notFound } from '../../shared/domain/errors.ts';
import { http } from '../../shared/http/route.ts';

/**
 * The API's `$default` route: API Gateway sends every request no route matched here, so
 * unknown paths get 404 and known paths with another method 405 (with `Allow`), in our shape.
 * It also receives CORS preflights (`OPTIONS /{proxy+}`, no authorizer): 204, and API Gateway
 * adds the configured CORS headers. It never returns data, so it needs no principal.
 */
export const handler = http({ anonymous: true }, async (req) => {
  const { method, path } = req.event.requestContext.http;
  if (method === 'OPTIONS') return { statusCode: 204, headers: {}, body: '' };
  const match = matchRoute(method, path);
  if (match && 'allowed' in match) throw methodNotAllowed(match.allowed);
  throw notFound(`No route for ${method} ${path}`);
});
