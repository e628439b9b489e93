/**
 * Request matching over a route table. Two questions, answered from the same table:
 *
 * - Which resource does a path name? `match`: the most specific path that matches, where
 *   specific means a literal segment beats a parameter, compared from the left, whatever the
 *   method. `GET /api/instances/batch-delete` names the batch-delete resource (POST only: 405
 *   with `Allow: POST`), never instance "batch-delete" (a 400 about a malformed id).
 * - Which route does API Gateway invoke? `gateway`: HTTP APIs choose among the routes of the
 *   request's method only ("full match for a route and method", then greedy, then `$default`),
 *   so without help that same request would reach `GET /api/instances/{id}`. `shadows` lists the
 *   route keys that make the two answers agree: a literal path that a parameterised route of
 *   another method would swallow gets its own route to the fallback handler (CDK and the local
 *   gateway add them alike), which answers the 405 from `match`. A method no route of the path
 *   has at all (`PATCH /api/history/search`) reaches `$default`, the same fallback.
 *
 * HEAD is answered wherever GET is (RFC 9110 §9.3.2): a GET route also exists as a HEAD route.
 * The functions take the table as an argument, so the fallback handler can match against the
 * generated key table (./table.json) without loading any route's schemas.
 */
import { badRequest } from '../domain/errors.ts';
import type { Method } from './define.ts';

/** A request method the API answers: the route methods plus HEAD. */
export type RequestMethod = Method | 'HEAD';

/** What matching needs of a route (a HEAD key only for a shadow: a GET route brings HEAD). */
export interface RouteKey {
  readonly method: RequestMethod;
  readonly path: string;
}

export interface RouteMatch<R extends RouteKey> {
  readonly route: R;
  /** The API Gateway route key: `HEAD /api/instances/{id}` for a HEAD request. */
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

const ALLOW_ORDER: readonly RequestMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Compiles `/api/instances/{id}` into a matcher and its shape (true = literal segment). */
export function compilePath(path: string): { regex: RegExp; params: string[]; shape: boolean[] } {
  const params: string[] = [];
  const shape: boolean[] = [];
  const source = path
    .split('/')
    .map((seg) => {
      const name = /^\{(\w+)\}$/.exec(seg)?.[1];
      shape.push(!name);
      if (name) {
        params.push(name);
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}$`), params, shape };
}

interface PathEntry<R extends RouteKey> {
  readonly path: string;
  readonly regex: RegExp;
  readonly params: string[];
  readonly shape: boolean[];
  readonly byMethod: Map<RequestMethod, R>;
}

/**
 * Decodes one path parameter. `decodeURIComponent` throws a URIError on a stray `%`, non-hex
 * digits or bytes that are not UTF-8 (`%C0%AE` is an overlong `.`); that is the caller's
 * mistake, so it becomes a typed 400 instead of escaping as a 500.
 */
function decodePathParameter(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest('Malformed percent-encoding in the path', {
      [name]: 'not valid percent-encoded UTF-8',
    });
  }
}

const asMethod = (method: string): RequestMethod | undefined =>
  (ALLOW_ORDER as readonly string[]).includes(method) ? (method as RequestMethod) : undefined;

/** Negative when `a` is more specific: the first segment where they differ is literal in `a`. */
function bySpecificity(a: PathEntry<RouteKey>, b: PathEntry<RouteKey>): number {
  for (let i = 0; i < Math.min(a.shape.length, b.shape.length); i++) {
    if (a.shape[i] !== b.shape[i]) return a.shape[i] ? -1 : 1;
  }
  return 0;
}

export class RouteTable<R extends RouteKey> {
  private readonly paths: PathEntry<R>[] = [];

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      let entry = this.paths.find((p) => p.path === route.path);
      if (!entry) {
        entry = { path: route.path, ...compilePath(route.path), byMethod: new Map() };
        this.paths.push(entry);
      }
      entry.byMethod.set(route.method, route);
      if (route.method === 'GET' && !entry.byMethod.has('HEAD')) entry.byMethod.set('HEAD', route);
    }
  }

  /**
   * The resource a request names: its route, or the methods that path has when the request's
   * method is not one of them (→ 405), or null (→ 404). Throws a 400 `AppError` when the
   * matched route's parameters are not valid percent-encoding.
   */
  match(method: string, path: string): RouteMatch<R> | { allowed: RequestMethod[] } | null {
    const [best] = this.candidates(path);
    if (!best) return null;
    const m = asMethod(method);
    if (!m || !best.entry.byMethod.has(m)) return { allowed: this.allowedAt(best.entry) };
    return this.matchOf(best.entry, best.m, m);
  }

  /** The route API Gateway invokes: the most specific of the method's routes, or null (`$default`). */
  gateway(method: string, path: string): RouteMatch<R> | null {
    const m = asMethod(method);
    if (!m) return null;
    const best = this.candidates(path).find((c) => c.entry.byMethod.has(m));
    return best ? this.matchOf(best.entry, best.m, m) : null;
  }

  /**
   * Route keys (`METHOD path`) API Gateway needs besides the table's own so that it invokes the
   * fallback wherever `match` names another resource than `gateway` would pick.
   */
  shadows(): { method: RequestMethod; path: string }[] {
    const out: { method: RequestMethod; path: string }[] = [];
    for (const entry of this.paths) {
      for (const method of ALLOW_ORDER) {
        if (entry.byMethod.has(method)) continue;
        // Matching the template itself: a parameter segment of another route matches `{x}`.
        const picked = this.candidates(entry.path).find((c) => c.entry.byMethod.has(method));
        if (picked && picked.entry !== entry) out.push({ method, path: entry.path });
      }
    }
    return out;
  }

  /** The methods a path has, in `Allow` order. */
  private allowedAt(entry: PathEntry<R>): RequestMethod[] {
    return ALLOW_ORDER.filter((m) => entry.byMethod.has(m));
  }

  /** The paths that match, most specific first. */
  private candidates(path: string): { entry: PathEntry<R>; m: RegExpExecArray }[] {
    return this.paths
      .map((entry) => ({ entry, m: entry.regex.exec(path) }))
      .filter((x): x is { entry: PathEntry<R>; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => bySpecificity(a.entry, b.entry));
  }

  private matchOf(entry: PathEntry<R>, m: RegExpExecArray, method: RequestMethod): RouteMatch<R> {
    const route = entry.byMethod.get(method)!;
    const pathParameters: Record<string, string> = {};
    entry.params.forEach((name, i) => {
      pathParameters[name] = decodePathParameter(name, m[i + 1] ?? '');
    });
    return { route, routeKey: `${method} ${route.path}`, pathParameters };
  }
}
