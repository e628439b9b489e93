/**
 * Integer parameters and the instance routes' path schemas, apart from the list query schemas
 * of ./query.ts (which re-exports these): a route that takes only an `{id}` bundles this module,
 * not those.
 */
import * as z from 'zod/mini';
import { numberRuleText } from './validation.ts';
import { MAX_ID } from './ids.ts';

/**
 * An integer query parameter within bounds. Every way to miss (`-1`, `abc`, `5000`) is told
 * the whole rule: "must be an integer from 1 to 1000".
 */
export const intParam = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d{1,9}$/, numberRuleText({ integer: true, min, max }))),
    z.pipe(
      z.transform((s: string) => Number(s)),
      z.int().check(z.gte(min), z.lte(max)),
    ),
  );

/** `{id}` path parameter: a positive integer. */
export const idParam = intParam(1, MAX_ID);
export const instancePathSchema = z.object({ id: idParam });
/** `{name}` of GET /api/instances/by-name/{name}: any name the create rule allows. */
export const instanceNamePathSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(255)),
});
