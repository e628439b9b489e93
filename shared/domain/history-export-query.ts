/** The query of GET /api/instances/{id}/history/export, in a module only that route reaches. */
import * as z from 'zod/mini';

export const EXPORT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const historyExportQuerySchema = z.strictObject({
  format: z._default(z.enum(EXPORT_FORMATS), 'json'),
});
