import { routeKeys } from '../../shared/routes/table.ts';
import { RouteTable } from '../../shared/routes/match.ts';
import { methodNotAllowed, notFound } from '../../shared/domain/errors.ts';
import { fallback } from '../../shared/http/route.ts';

/** Every route's method and path, from the generated key table (no route's schemas). */
const table = new RouteTable(routeKeys);

/**
 * The API's `$default` route and the shadow routes (shared/routes/match.ts): API Gateway sends
 * every request no route takes here, so unknown paths get 404 and known paths with another
 * method 405 (with `Allow`), in our shape. It also receives CORS preflights (`OPTIONS
 * /{proxy+}`, no authorizer): 204, and API Gateway adds the configured CORS headers. It never
 * returns data, so it needs no principal.
 */
export const handler = fallback(async (req) => {
  const { method, path } = req.event.requestContext.http;
  if (method === 'OPTIONS') return { statusCode: 204, headers: {}, body: '' };
  const match = table.match(method, path);
  if (match && 'allowed' in match) throw methodNotAllowed(match.allowed);
  throw notFound(`No route for ${method} ${path}`);
});
