/**
 * Function-level authorization from the JWT claims API Gateway's authorizer verified.
 * Scopes come from the `scope` claim (OAuth) or `cognito:groups`; admin implies write,
 * write implies read.
 */
import type { Scope } from '../routes/define.ts';
import { forbidden, unauthorized } from '../domain/errors.ts';
import { actorProblem } from '../domain/text.ts';
import type { HttpEvent } from './middleware.ts';

export interface Principal {
  readonly sub: string;
  readonly scopes: ReadonlySet<string>;
}

function claimList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  // API Gateway renders array claims as "[a b]".
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** Cognito resource-server scopes read `instances/write`; groups and other IdPs `instances:write`. */
const normalizeScope = (s: string) => s.replace(/^instances\//, 'instances:');

export function principalOf(event: HttpEvent): Principal {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub === '') throw unauthorized();
  const problem = actorProblem(sub);
  if (problem) throw unauthorized(`The token's subject (sub) ${problem}`);
  return {
    sub,
    scopes: new Set(
      [...claimList(claims?.scope), ...claimList(claims?.['cognito:groups'])].map(normalizeScope),
    ),
  };
}

const IMPLIED: Record<Scope, string[]> = {
  read: [],
  'instances:write': ['instances:write', 'instances:admin'],
  'instances:admin': ['instances:admin'],
};

export function authorize(principal: Principal, scope: Scope): void {
  const accepted = IMPLIED[scope];
  if (accepted.length === 0) return;
  if (!accepted.some((s) => principal.scopes.has(s))) {
    throw forbidden(`This operation needs the ${scope} scope`);
  }
}
