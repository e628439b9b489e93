/** What the history export route answers as JSON (re-exported by ./schemas.ts). */
import * as z from 'zod/mini';
import { historyRecordSchema } from '../domain/history.ts';

const int = z.int();
const count = z.int().check(z.gte(0));
const isoTimestamp = z.string().check(z.iso.datetime());

/** `format=json` export body (csv and xlsx are files with the same columns). */
export const historyExportSchema = z.object({
  instance_id: int,
  exported_at: isoTimestamp,
  records: z.array(historyRecordSchema),
  count,
});
