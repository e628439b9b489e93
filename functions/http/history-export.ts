import { createDocumentClient, tableNamesFromEnv } from '../../shared/aws/dynamo.ts';
import { HistoryReader } from '../../shared/repo/history-reader.ts';
import { buildHistoryExport } from '../../shared/export/history-export.ts';
import { exportHistory } from '../../shared/routes/export-history.ts';
import { http } from '../../shared/http/route.ts';
import { file } from '../../shared/http/responses.ts';

const reader = new HistoryReader(createDocumentClient(), tableNamesFromEnv('history', 'instances'));

/**
 * GET /api/instances/{id}/history/export?format=json|csv|xlsx: every record as a download,
 * read in pages of 100; 413 (pointing to POST /api/operations) past the response limit.
 */
export const handler = http(exportHistory, async (req) => {
  const { id } = req.params;
  const out = await buildHistoryExport(id, req.query.format, reader.records(id, 100));
  if (out.records === 0) await reader.assertInstanceKnown(id);
  return file(out.body, out.contentType, out.filename, {
    'x-export-records': String(out.records),
  });
});
