/**
 * The shape of one difference between two snapshots, which ./diff.ts builds. Apart from the
 * diff itself so the stream consumer that builds history records (./history-record.ts) diffs
 * without bundling and building any zod schema.
 */
import * as z from 'zod/mini';

/**
 * One field that differs: its value in the first and in the second snapshot (null where the
 * snapshot lacks it); `added` when only the second has it, `removed` when only the first does.
 */
export const differenceSchema = z.object({
  field: z.string(),
  value1: z.unknown(),
  value2: z.unknown(),
  type: z.enum(['added', 'removed', 'modified']),
});
export type Difference = z.output<typeof differenceSchema>;
