/** History read side, restore and stats (issue #3). */
import { historyExportQuerySchema } from '../domain/history-export-query.ts';
import { instanceIdPathSchema } from '../domain/history-params.ts';
import { historyRecordExample } from '../openapi/examples.ts';
import { historyExportSchema } from '../openapi/history-responses.ts';
import { defineRoute } from './define.ts';
import { HISTORY_ERRORS } from './docs.ts';

export const exportHistory = defineRoute({
  method: 'GET',
  path: '/api/instances/{id}/history/export',
  handler: 'http/history-export',
  scope: 'read',
  tables: { history: 'read', instances: 'read' },
  params: instanceIdPathSchema,
  query: historyExportQuerySchema,
  operationId: 'exportHistory',
  summary: "Download an instance's history",
  description:
    'Every record as a file (`Content-Disposition: attachment`). CSV follows RFC 4180 and neutralises cells starting with `= + - @`. An export that would pass the 6 MB response limit answers 413 pointing to the export operation.',
  tags: ['History'],
  queryExamples: { format: 'csv' },
  responses: {
    200: {
      description: 'The export file.',
      schema: historyExportSchema,
      example: {
        instance_id: 42,
        exported_at: '2026-10-01T10:00:00.000Z',
        records: [historyRecordExample],
        count: 1,
      },
      media: {
        'text/csv': { type: 'string', description: 'RFC 4180 CSV with a header row.' },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
          type: 'string',
          contentMediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          description: 'An Excel workbook (binary).',
        },
      },
      headers: ['content-disposition'],
    },
    ...HISTORY_ERRORS,
    413: 'The export is larger than the response limit; `details.operation` is the export operation to run instead.',
  },
});
