/**
 * Where to return after the hosted UI: a path on this origin, never another origin. `//host`
 * and `/\host` are both read by browsers as another host.
 */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}
