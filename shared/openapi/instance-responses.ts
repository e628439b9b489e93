/** What the list and delete instance routes answer (re-exported by ./schemas.ts). */
import * as z from 'zod/mini';
import { instanceSchema } from '../domain/instance-schema.ts';

const int = z.int();
const count = z.int().check(z.gte(0));

export const instanceListSchema = z.object({
  items: z.array(instanceSchema),
  count,
  /**
   * How many instances the query matches, present only when one read of the stream-kept
   * counters tells (no filter, or one status / priority / cluster_name / model_name filter).
   */
  total: z.optional(count),
  limit: int,
  next_cursor: z.nullable(z.string()),
});

export const deleteResultSchema = z.object({
  message: z.literal('Instance deleted successfully'),
  id: int,
});
