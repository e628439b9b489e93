/**
 * Turns zod issues into the SPEC's `details` object: one entry per offending field path,
 * with a message a person can act on.
 */
import type * as z from 'zod/mini';
import { READ_ONLY_FIELDS } from './instance.ts';
import { validationError, badRequest, type ErrorDetails } from './errors.ts';

type Issue = z.core.$ZodIssue;

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
          ? `must have at least ${issue.minimum} items`
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

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function issuesToDetails(
  issues: readonly Issue[],
  input: unknown,
  readOnly: readonly string[] = [],
): ErrorDetails {
  const details: ErrorDetails = {};
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
    if (details[p] === undefined) details[p] = describe(issue, valueAt(input, issue.path));
  }
  return details;
}

/** Parses a request body against a schema, or throws 422 naming every bad field. */
export function parseBody<S extends z.ZodMiniType>(schema: S, body: unknown): z.output<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw validationError('Request body must be a JSON object', { _body: 'must be an object' });
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    throw validationError(
      'Request validation failed',
      issuesToDetails(result.error.issues, body, READ_ONLY_FIELDS),
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
    throw badRequest(`Invalid ${what} parameters`, issuesToDetails(result.error.issues, input));
  }
  return result.data;
}
