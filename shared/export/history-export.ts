/**
 * History export as a download (json | csv | xlsx), built page by page: records are read in
 * pages of ≤ 100 and each page is serialised (and, for xlsx, compressed) before the next is
 * read, so memory holds one page of records plus the output built so far.
 *
 * API Gateway cannot return more than a Lambda response (6 MB, the JSON envelope included:
 * base64 for binary bodies, JSON string escaping for text ones). The size of what the response
 * will be is tracked as pages are added, the build stops as soon as it cannot fit, and the
 * caller gets a 413 that points to the export operation (POST /api/operations, SPEC §8).
 */
import type { HistoryRecord } from '../domain/history.ts';
import { RECORD_KEYS } from '../domain/history-record.ts';
import type { ExportFormat } from '../domain/history-export-query.ts';
import { payloadTooLarge } from '../domain/errors.ts';
import { LAMBDA_RESPONSE_LIMIT } from '../config/lambda.ts';
import { routeKey } from '../routes/table.ts';
import { csvRow, type Cell } from './csv.ts';
import { XlsxWriter } from './xlsx.ts';

/** Room for the envelope (status, headers) around the body. */
const ENVELOPE_ALLOWANCE = 16 * 1024;
export const MAX_EXPORT_PAYLOAD = LAMBDA_RESPONSE_LIMIT - ENVELOPE_ALLOWANCE;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The columns of the csv and xlsx exports: the record's fields; `changes` and `snapshot` are JSON text. */
export const EXPORT_COLUMNS = RECORD_KEYS;

/** One row: each column's value; lists joined by `;`, objects as JSON text. */
export function exportRow(r: HistoryRecord): Cell[] {
  return EXPORT_COLUMNS.map((k) => {
    const v = r[k];
    if (Array.isArray(v)) return v.join(';');
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
  });
}

export interface ExportFile {
  body: string | Buffer;
  contentType: string;
  filename: string;
  records: number;
}

/** Bytes a text body takes inside the Lambda response JSON (escaping included). */
const textPayloadBytes = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
/** Bytes a binary body takes as base64. */
export const base64Bytes = (n: number) => Math.ceil(n / 3) * 4;

interface Builder {
  add(page: readonly HistoryRecord[]): void;
  /** Response payload bytes so far. */
  payloadBytes(): number;
  finish(): string | Buffer;
}

class TextBuilder implements Builder {
  private parts: string[] = [];
  private bytes = 0;
  constructor(
    private readonly render: (page: readonly HistoryRecord[], first: boolean) => string,
    head: string,
    private readonly tail: () => string,
  ) {
    this.push(head);
  }
  private first = true;
  private push(s: string) {
    this.parts.push(s);
    this.bytes += textPayloadBytes(s);
  }
  add(page: readonly HistoryRecord[]) {
    if (page.length === 0) return;
    this.push(this.render(page, this.first));
    this.first = false;
  }
  payloadBytes() {
    return this.bytes;
  }
  finish() {
    this.push(this.tail());
    const out = this.parts.join('');
    this.parts = [];
    return out;
  }
}

function builderFor(format: ExportFormat, instanceId: number, exportedAt: string): Builder {
  let count = 0;
  switch (format) {
    case 'json':
      return new TextBuilder(
        (page, first) => {
          count += page.length;
          return (first ? '' : ',') + page.map((r) => JSON.stringify(r)).join(',');
        },
        `{"instance_id":${instanceId},"exported_at":${JSON.stringify(exportedAt)},"records":[`,
        () => `],"count":${count}}`,
      );
    case 'csv':
      return new TextBuilder(
        (page) => page.map((r) => csvRow(exportRow(r))).join(''),
        csvRow(EXPORT_COLUMNS),
        () => '',
      );
    case 'xlsx': {
      const xlsx = new XlsxWriter(`instance ${instanceId}`);
      xlsx.addRow(EXPORT_COLUMNS, 1);
      return {
        add(page) {
          for (const r of page) xlsx.addRow(exportRow(r));
          xlsx.flush();
        },
        // A lower bound (deflate still holds some input): stop only when it surely won't fit.
        payloadBytes: () => base64Bytes(xlsx.size),
        finish: () => xlsx.finish(),
      };
    }
  }
}

export const exportTooLarge = (instanceId: number, format: ExportFormat) =>
  payloadTooLarge(
    `The export is larger than API Gateway's ${LAMBDA_RESPONSE_LIMIT / 1024 / 1024} MB response limit; run it as an export operation`,
    {
      max_bytes: LAMBDA_RESPONSE_LIMIT,
      operation: {
        method: 'POST',
        path: routeKey('createOperation').path,
        body: {
          type: 'export',
          instance_ids: [instanceId],
          format: format === 'xlsx' ? 'csv' : format,
        },
      },
    },
  );

/**
 * Builds the export from `pages` (oldest first). Throws 413 as soon as the response would be
 * over the limit, without reading the remaining pages.
 */
export async function buildHistoryExport(
  instanceId: number,
  format: ExportFormat,
  pages: AsyncIterable<readonly HistoryRecord[]>,
  now: Date = new Date(),
  maxPayload = MAX_EXPORT_PAYLOAD,
): Promise<ExportFile> {
  const builder = builderFor(format, instanceId, now.toISOString());
  let records = 0;
  for await (const page of pages) {
    builder.add(page);
    records += page.length;
    if (builder.payloadBytes() > maxPayload) throw exportTooLarge(instanceId, format);
  }
  const body = builder.finish();
  const payload = typeof body === 'string' ? builder.payloadBytes() : base64Bytes(body.length);
  if (payload > maxPayload) throw exportTooLarge(instanceId, format);
  const stamp = now.toISOString().slice(0, 10);
  return {
    body,
    contentType: CONTENT_TYPES[format],
    filename: `instance-${instanceId}-history-${stamp}.${format}`,
    records,
  };
}
