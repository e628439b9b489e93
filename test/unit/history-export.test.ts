import { describe, expect, it } from 'vitest';
import {
  EXPORT_COLUMNS,
  MAX_EXPORT_PAYLOAD,
  buildHistoryExport,
} from '../../shared/export/history-export.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { parseCsv, readXlsx } from '../integration/history-support.ts';

const rec = (i: number, extra: Partial<HistoryRecord> = {}): HistoryRecord => ({
  history_id: i,
  instance_id: 9,
  original_id: 9,
  version: i,
  operation_type: i === 1 ? 'create' : 'update',
  operation_timestamp: '2026-01-01T00:00:00.000Z',
  actor: 'alice',
  changed_fields: ['description'],
  changes: { description: { old: null, new: `d${i}` } },
  snapshot: { id: 9, name: 'n', description: `d${i}` },
  batch_id: 'b',
  ...extra,
});

async function* pages(n: number, size = 100, make = rec) {
  for (let i = 1; i <= n; i += size) {
    yield Array.from({ length: Math.min(size, n - i + 1) }, (_, k) => make(i + k));
  }
}

describe('buildHistoryExport', () => {
  it('json: every record, in order, with a count', async () => {
    const out = await buildHistoryExport(9, 'json', pages(250));
    const doc = JSON.parse(out.body as string);
    expect(doc.count).toBe(250);
    expect(doc.records.map((r: HistoryRecord) => r.version)).toEqual(
      Array.from({ length: 250 }, (_, i) => i + 1),
    );
    expect(out.contentType).toBe('application/json');
    expect(out.filename).toMatch(/^instance-9-history-\d{4}-\d{2}-\d{2}\.json$/);
  });

  it('json: an instance without records gives an empty list', async () => {
    const out = await buildHistoryExport(9, 'json', pages(0));
    expect(JSON.parse(out.body as string)).toMatchObject({ records: [], count: 0 });
  });

  it('csv: header plus one row per record, formula cells neutralised', async () => {
    const out = await buildHistoryExport(
      9,
      'csv',
      pages(3, 100, (i) => rec(i, { actor: i === 2 ? '=cmd|calc' : 'alice' })),
    );
    const rows = parseCsv(out.body as string);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(4);
    expect(rows[2]![EXPORT_COLUMNS.indexOf('actor')]).toBe("'=cmd|calc");
    expect(JSON.parse(rows[3]![EXPORT_COLUMNS.indexOf('changes')]!)).toEqual({
      description: { old: null, new: 'd3' },
    });
    expect(out.contentType).toBe('text/csv; charset=utf-8');
  });

  it('xlsx: a zip holding a workbook whose sheet has every record', async () => {
    const out = await buildHistoryExport(9, 'xlsx', pages(120));
    expect(Buffer.isBuffer(out.body)).toBe(true);
    const { files, rows } = readXlsx(out.body as Buffer);
    expect(files).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    expect(rows).toHaveLength(121);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows[120]![0]).toBe('120');
  });

  it.each(['json', 'csv', 'xlsx'] as const)(
    '%s: 413 past the limit, without reading on',
    async (format) => {
      // Prepare: a source that counts the pages it was asked for
      let read = 0;
      async function* counted() {
        for await (const p of pages(10_000, 100)) {
          read++;
          yield p;
        }
      }
      // Act
      const built = buildHistoryExport(9, format, counted(), new Date(), 20_000);
      // Assess
      await expect(built).rejects.toMatchObject({
        status: 413,
        details: { operation: { method: 'POST', path: '/api/operations' } },
      });
      expect(read).toBeLessThan(100);
    },
  );

  it('keeps the default budget under 6 MB', () => {
    expect(MAX_EXPORT_PAYLOAD).toBeLessThan(6 * 1024 * 1024);
  });
});
