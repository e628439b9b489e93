/**
 * What the Meta routes answer: health, liveness and the OpenAPI document. Apart from ./schemas.ts
 * (which re-exports them) because a route's definition, schemas included, is bundled into its
 * Lambda: these routes then carry these few shapes, not every shape that module builds.
 */
import * as z from 'zod/mini';

export const healthSchema = z.object({
  status: z.literal('ok'),
  table: z.literal('reachable'),
  latency_ms: z.int().check(z.gte(0)),
  time: z.string().check(z.iso.datetime()),
});

/** GET /health: liveness only. */
export const livenessSchema = z.object({ status: z.literal('ok') });

/** GET /api/openapi.json: an OpenAPI 3.1 document (described, not re-specified, here). */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
