/**
 * Turns zod issues into the SPEC's `details` object: one entry per offending field path,
 * with a message a person can act on.
 */
import type * as z from 'zod/mini';
import { READ_ONLY_FIELDS } from './fields.ts';
import { validationError, badRequest, type ErrorDetails } from './errors.ts';
import { isListSchema, numberRuleOf, schemaAt, shapeOf, type NumberRule } from './schema-shape.ts';

type Issue = z.core.$ZodIssue;

/**
 * "must be an integer from 1 to 100": the whole numeric rule, whichever part a value broke.
 * `-1` for a limit is an integer, and `1e308` for replicas breaks the 1–100 rule before the
 * safe-integer one, so naming only the check that failed first would mislead.
 */
export function numberRuleText(rule: NumberRule): string {
  const what = rule.integer ? 'an integer' : 'a number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined) return `must be ${what} from ${min} to ${max}`;
  if (min !== undefined) return `must be ${what} ≥ ${min}`;
  if (max !== undefined) return `must be ${what} ≤ ${max}`;
  return `must be ${what}`;
}

const NUMERIC_ORIGINS = new Set(['number', 'int', 'bigint']);

/** Issues about a number's type or bounds (not "required"). */
function isNumberIssue(issue: Issue, sent: unknown): boolean {
  switch (issue.code) {
    case 'invalid_type':
      return sent !== undefined && (issue.expected === 'number' || issue.expected === 'int');
    case 'too_small':
    case 'too_big':
      return NUMERIC_ORIGINS.has(issue.origin);
    case 'not_multiple_of':
      return true;
    default:
      return false;
  }
}

/** The tighter bound of two numeric too_big / too_small issues, or undefined if not comparable. */
function tighter(a: Issue, b: Issue): boolean | undefined {
  if (a.code === 'too_big' && b.code === 'too_big') return Number(a.maximum) < Number(b.maximum);
  if (a.code === 'too_small' && b.code === 'too_small')
    return Number(a.minimum) > Number(b.minimum);
  return undefined;
}

function describe(issue: Issue, sent: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (sent === undefined) return 'required';
      // Strings are trimmed first and an empty one counts as missing.
      if (typeof sent === 'string' && sent.trim() === '') return 'required (empty after trim)';
      return `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `must be at least ${issue.minimum} character${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'array'
          ? `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
          : `must be ≥ ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string'
        ? `must be at most ${issue.maximum} characters`
        : issue.origin === 'array'
          ? `must have at most ${issue.maximum} items`
          : `must be ≤ ${issue.maximum}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.message && issue.message !== 'Invalid input'
        ? issue.message
        : `must be a valid ${issue.format}`;
    case 'invalid_key':
      return 'invalid key';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return issue.message || 'invalid';
  }
}

const article = (t: string) =>
  t === 'int' ? 'an integer' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;

const pathOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

/**
 * The value sent at `path`. Own properties only: for an `envs` key such as `toString` that was
 * not sent, a plain lookup would find Object.prototype's function and describe it instead.
 */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * `schema` (the one that produced the issues) lets a number field's message name its whole
 * rule ("must be an integer from 1 to 100"); without it the tightest bound that failed is named.
 */
export function issuesToDetails(
  issues: readonly Issue[],
  input: unknown,
  readOnly: readonly string[] = [],
  schema?: z.ZodMiniType,
): ErrorDetails {
  const details: ErrorDetails = {};
  const numeric = new Map<string, Issue>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const p = pathOf([...issue.path, key]);
        details[p] = readOnly.includes(key) ? 'read-only field' : 'unknown field';
      }
      continue;
    }
    const p = pathOf(issue.path) || '_body';
    if (issue.code === 'invalid_key') {
      details[p] = `invalid key: ${issue.issues.map((i) => describe(i, p)).join('; ')}`;
      continue;
    }
    const sent = valueAt(input, issue.path);
    if (isNumberIssue(issue, sent)) {
      const at = schema && schemaAt(schema, issue.path);
      const rule = at && numberRuleOf(at);
      if (rule) {
        details[p] ??= numberRuleText(rule);
        continue;
      }
      const prev = numeric.get(p);
      if (prev && tighter(issue, prev)) details[p] = describe(issue, sent);
      if (!prev || tighter(issue, prev)) numeric.set(p, issue);
    }
    if (details[p] === undefined) details[p] = describe(issue, sent);
  }
  return details;
}

const PROTO_KEY = '__proto__';

/**
 * Refuses (422) a parsed JSON body with a `__proto__` key at any depth, naming each path.
 * JSON.parse keeps such a key as an own property, but everything after it does not: zod's
 * record and object parsing assign it (which sets the prototype, or drops it) and a spread
 * copy loses it. `{"filter":{"__proto__":{"status":"active"}}}` thus reached the operation
 * service as an empty filter and deleted every instance. The walk is iterative (a 64 KiB body
 * can nest ~32k levels deep) and builds a path only for a hit.
 */
export function rejectProtoKeys(body: unknown): void {
  interface Node {
    readonly value: unknown;
    readonly key: string;
    readonly parent: Node | undefined;
  }
  const pathTo = (node: Node, key: string): string => {
    const keys = [key];
    for (let n: Node = node; n.parent; n = n.parent) keys.push(n.key);
    return keys.reverse().join('.');
  };
  const found: string[] = [];
  const stack: Node[] = [{ value: body, key: '', parent: undefined }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { value } = node;
    if (value === null || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      if (key === PROTO_KEY) found.push(pathTo(node, key));
      else stack.push({ value: child, key, parent: node });
    }
  }
  if (found.length === 0) return;
  // fromEntries defines own properties: `details["__proto__"] = …` would set the prototype.
  const details: ErrorDetails = Object.fromEntries(
    found.sort().map((p) => [p, `"${PROTO_KEY}" is not allowed as a key`]),
  );
  throw validationError(`"${PROTO_KEY}" is not allowed as a key in a request body`, details);
}

/** Parses a request body against a schema, or throws 422 naming every bad field. */
export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown): z.output<S> {
  // No body at all is for the schema to judge (a default makes it optional); any other
  // non-object is not a request body.
  const absent = body === undefined && schema.safeParse(undefined).success;
  if (!absent && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    throw validationError('Request body must be a JSON object', { _body: 'must be an object' });
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    throw validationError(
      'Request validation failed',
      issuesToDetails(result.error.issues, body, READ_ONLY_FIELDS, schema),
    );
  }
  return result.data;
}

/** Parses query or path parameters; bad values are a 400 (SPEC: "bad query"). */
export function parseParams<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  what = 'query',
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw badRequest(
      `Invalid ${what} parameters`,
      issuesToDetails(result.error.issues, input, [], schema),
    );
  }
  return result.data;
}

/** The message for a one-value query parameter sent as a list (`limit[]=5`) or twice. */
const oneValue = (name: string) => `${name} takes one value: send ${name}=…`;

/**
 * A query string whose percent-encoding is not UTF-8 (`?search=%ff`, `?name=%2`) is refused as
 * the path's is: URLSearchParams would read it as U+FFFD and search for that instead.
 */
export function refuseMalformedQuery(rawQuery: string): void {
  for (const part of rawQuery.split('&')) {
    if (formDecoded(part) !== undefined) continue;
    const name = part.split('=', 1)[0] ?? '';
    throw badRequest('Malformed percent-encoding in the query string', {
      [formDecoded(name) ?? name]: 'not valid percent-encoded UTF-8',
    });
  }
}

/** A query component decoded (`+` is a space), or undefined when it is not valid UTF-8. */
function formDecoded(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/**
 * Refuses a parameter of `schema` that takes one value but was sent more than once
 * (`name=a&name=b`): API Gateway joins repeats with a comma, so `name` would otherwise be
 * searched for `a,b`, while a repeated `limit` fails only because `5,6` is no number. Read from
 * the raw query string, the one place the repeat still shows.
 */
export function refuseRepeatedKeys(schema: z.ZodMiniType, rawQuery: string): void {
  const shape = shapeOf(schema) ?? {};
  const seen = new Set<string>();
  for (const name of new URLSearchParams(rawQuery).keys()) {
    const field = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (!field || isListSchema(field)) continue;
    if (seen.has(name)) throw badRequest('Invalid query parameters', { [name]: oneValue(name) });
    seen.add(name);
  }
}

/**
 * Accepts axios's default array form `status[]=a&status[]=b` (API Gateway hands the handler
 * `"status[]": "a,b"`) beside the repeated (`status=a&status=b`) and comma forms: `key[]`
 * becomes `key`, merged with a plain `key` sent too. Only for list parameters of `schema`;
 * `limit[]=5` is a 400 saying `limit` takes one value, and an unknown `x[]` stays unknown.
 */
export function bracketListKeys(
  schema: z.ZodMiniType,
  query: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const bracketed = Object.keys(query).filter((k) => k.endsWith('[]'));
  if (bracketed.length === 0) return query;
  const shape = shapeOf(schema) ?? {};
  const out = { ...query };
  for (const key of bracketed) {
    const name = key.slice(0, -2);
    const field = Object.hasOwn(shape, name) ? shape[name] : undefined;
    if (!field) continue;
    if (!isListSchema(field)) {
      throw badRequest('Invalid query parameters', { [key]: oneValue(name) });
    }
    const values = [out[name], out[key]].filter((v) => v !== undefined && v !== '');
    delete out[key];
    out[name] = values.join(',');
  }
  return out;
}
