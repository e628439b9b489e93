/** The query of GET /api/history/search, in a module only that route reaches. */
import * as z from 'zod/mini';
import { OPERATION_TYPES } from './change.ts';
import { enumList, intParam, isoDate } from './query.ts';

/** Comma list of integer ids (`1,2,3`; repeated keys arrive comma-joined), 1–100 of them. */
const idList = z.pipe(
  z.string().check(z.regex(/^\s*\d{1,9}(\s*,\s*\d{1,9})*\s*$/, 'must be a comma list of ids')),
  z.pipe(
    z.transform((s: string) => [...new Set(s.split(',').map((v) => Number(v.trim())))]),
    z.array(z.int().check(z.gte(1))).check(z.minLength(1), z.maxLength(100)),
  ),
);

export const historySearchQuerySchema = z.strictObject({
  q: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  instance_ids: z.optional(idList),
  operation_type: z.optional(enumList(OPERATION_TYPES)),
  start_date: z.optional(isoDate),
  end_date: z.optional(isoDate),
  limit: z._default(intParam(1, 1000), 50),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type HistorySearchQuery = z.output<typeof historySearchQuerySchema>;
