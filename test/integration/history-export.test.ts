/** GET /api/instances/{id}/history/export?format=json|csv|xlsx against the local stack. */
import { afterAll, describe, expect, it } from 'vitest';
import { randomInt } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/aws/dynamo.ts';
import { historyItem } from '../../shared/repo/history-writer.ts';
import { EXPORT_COLUMNS } from '../../shared/export/history-export.ts';
import { api, createInstance, eventually, stack } from '../support/api.ts';
import { parseCsv, readXlsx } from './history-support.ts';

type Rec = Record<string, any>;

async function download(path: string) {
  const res = await fetch(`${stack().url}${path}`);
  return {
    status: res.status,
    headers: res.headers,
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

/** An instance with 3 records; one update sends request id `=1+2`, which is not echoed (→ batch_id). */
async function instanceWithHistory() {
  const inst = await createInstance({ description: '-starts with a minus', envs: { K: '@v' } });
  await api('PATCH', `/api/instances/${inst.id}`, { replicas: 2 }, { 'x-request-id': '=1+2' });
  await api('PATCH', `/api/instances/${inst.id}`, {
    description: 'has "quotes", commas\nand a newline',
  });
  const records = await eventually(async () => {
    const r = await api('GET', `/api/instances/${inst.id}/history?sort_order=asc`);
    return r.body?.total === 3 ? (r.body.items as Rec[]) : undefined;
  });
  return { inst, records };
}

const col = (name: (typeof EXPORT_COLUMNS)[number]) => EXPORT_COLUMNS.indexOf(name);

describe('history export', () => {
  it('json: a download with every record', async () => {
    const { inst, records } = await instanceWithHistory();
    const res = await download(`/api/instances/${inst.id}/history/export?format=json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(
        `^attachment; filename="instance-${inst.id}-history-\\d{4}-\\d{2}-\\d{2}\\.json"$`,
      ),
    );
    const doc = JSON.parse(new TextDecoder().decode(res.bytes));
    expect(doc).toMatchObject({ instance_id: inst.id, count: 3 });
    expect(doc.records).toEqual(records);
  });

  it('csv: RFC 4180 that parses back, with formula cells neutralised', async () => {
    const { inst, records } = await instanceWithHistory();
    const res = await download(`/api/instances/${inst.id}/history/export?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.csv"$/);
    const text = new TextDecoder().decode(res.bytes);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(4);
    rows.slice(1).forEach((row, i) => {
      const r = records[i]!;
      expect(row).toHaveLength(EXPORT_COLUMNS.length);
      expect(Number(row[col('history_id')])).toBe(r.history_id);
      expect(row[col('operation_type')]).toBe(r.operation_type);
      expect(row[col('changed_fields')]).toBe(r.changed_fields.join(';'));
      expect(JSON.parse(row[col('changes')]!)).toEqual(r.changes);
      expect(JSON.parse(row[col('snapshot')]!)).toEqual(r.snapshot);
    });
    // A formula-like request id is never echoed, so it cannot reach a cell as batch_id; cells
    // that do start with = + - @ are neutralised (test/unit/history-csv.test.ts).
    expect(records[1]!.batch_id).not.toBe('=1+2');
    expect(rows.flat().some((cell) => /^[=+\-@]/.test(cell))).toBe(false);
    // The newline/quotes/commas description survives quoting.
    expect(JSON.parse(rows[3]![col('snapshot')]!).description).toBe(
      'has "quotes", commas\nand a newline',
    );
  });

  it('xlsx: a workbook (zip) whose sheet holds every record', async () => {
    const { inst, records } = await instanceWithHistory();
    const res = await download(`/api/instances/${inst.id}/history/export?format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toMatch(/\.xlsx"$/);
    expect([...res.bytes.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]); // PK\3\4
    const { files, rows } = readXlsx(res.bytes);
    expect(files).toContain('[Content_Types].xml');
    expect(files).toContain('xl/workbook.xml');
    expect(files).toContain('xl/worksheets/sheet1.xml');
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows.slice(1).map((r) => Number(r[col('version')]))).toEqual([1, 2, 3]);
    expect(rows[2]![col('batch_id')]).toBe(records[1]!.batch_id); // inline text, never a formula
    expect(JSON.parse(rows[3]![col('changes')]!)).toEqual(records[2]!.changes);
  });

  it('answers 404 for an unknown instance and 400 for an unknown format', async () => {
    expect((await api('GET', '/api/instances/987654320/history/export')).status).toBe(404);
    const { id } = await createInstance();
    expect((await api('GET', `/api/instances/${id}/history/export?format=pdf`)).status).toBe(400);
  });

  describe('beyond the response limit', () => {
    const client = createDocumentClient(
      new DynamoDBClient({
        endpoint: stack().dynamodb,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    afterAll(() => client.destroy());

    it(
      'exports 5,000 records in csv and xlsx, read page by page',
      { timeout: 120_000 },
      async () => {
        // Prepare: 5,000 records of one (seeded) instance
        const instanceId = 600_000_000 + randomInt(0, 99_999_999);
        const items = Array.from({ length: 5000 }, (_, i) =>
          historyItem({
            history_id: 30_000_000_000 + instanceId * 10_000 + i,
            instance_id: instanceId,
            original_id: instanceId,
            version: i + 1,
            operation_type: i === 0 ? 'create' : 'update',
            operation_timestamp: '1998-01-01T00:00:00.000Z',
            actor: i % 7 === 0 ? '+formula' : 'seed',
            changed_fields: ['replicas'],
            changes: { replicas: { old: i, new: i + 1 } },
            snapshot: { id: instanceId, name: 'bulk', replicas: i + 1, envs: { A: String(i) } },
            batch_id: `req-${i}`,
          }),
        );
        const batches: (typeof items)[] = [];
        for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
        for (let i = 0; i < batches.length; i += 8) {
          await Promise.all(
            batches.slice(i, i + 8).map((b) =>
              client.send(
                new BatchWriteCommand({
                  RequestItems: {
                    [stack().tables.history]: b.map((Item) => ({ PutRequest: { Item } })),
                  },
                }),
              ),
            ),
          );
        }

        // Act
        const csv = await download(`/api/instances/${instanceId}/history/export?format=csv`);
        const xlsx = await download(`/api/instances/${instanceId}/history/export?format=xlsx`);

        // Assess
        expect(csv.status).toBe(200);
        const rows = parseCsv(new TextDecoder().decode(csv.bytes));
        expect(rows).toHaveLength(5001);
        expect(rows.slice(1).map((r) => Number(r[col('version')]))).toEqual(
          Array.from({ length: 5000 }, (_, i) => i + 1),
        );
        expect(rows[1]![col('actor')]).toBe("'+formula");
        expect(xlsx.status).toBe(200);
        expect(xlsx.headers.get('x-export-records')).toBe('5000');
        const sheet = readXlsx(xlsx.bytes);
        expect(sheet.rows).toHaveLength(5001);
        expect(sheet.rows[5000]![col('version')]).toBe('5000');
      },
    );

    it('answers 413 pointing to the export operation', async () => {
      // Prepare: 64 records of ~110 KB straight into the history table (≈ 7 MB as CSV)
      const instanceId = 700_000_000 + randomInt(0, 99_999_999);
      const big = 'x'.repeat(110_000);
      const items = Array.from({ length: 64 }, (_, i) =>
        historyItem({
          history_id: 20_000_000_000 + instanceId * 100 + i,
          instance_id: instanceId,
          original_id: instanceId,
          version: i + 1,
          operation_type: 'update',
          operation_timestamp: '1999-01-01T00:00:00.000Z',
          actor: 'seed',
          changed_fields: ['description'],
          changes: { description: { old: null, new: big } },
          snapshot: {},
          batch_id: 'seed',
        }),
      );
      for (let i = 0; i < items.length; i += 25) {
        await client.send(
          new BatchWriteCommand({
            RequestItems: {
              [stack().tables.history]: items
                .slice(i, i + 25)
                .map((Item) => ({ PutRequest: { Item } })),
            },
          }),
        );
      }

      // Act
      const res = await api('GET', `/api/instances/${instanceId}/history/export?format=csv`);

      // Assess
      expect(res.status).toBe(413);
      expect(res.body.error).toMatchObject({
        type: 'PayloadTooLarge',
        details: {
          max_bytes: 6 * 1024 * 1024,
          operation: {
            method: 'POST',
            path: '/api/operations',
            body: { type: 'export', instance_ids: [instanceId], format: 'csv' },
          },
        },
      });
    });
  });
});
