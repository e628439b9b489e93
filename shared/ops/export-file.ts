/**
 * An export file in S3, written as a multipart upload one part per chunk: a chunk renders
 * records until it holds PART_BYTES (S3's 5 MiB minimum for every part but the last), uploads
 * that part and checkpoints the part list with the read position. Memory holds one part plus
 * one page of records, whatever the export's size. A part redone after a crash overwrites its
 * own number; an upload abandoned by a crash before its first checkpoint is removed by the
 * bucket's abort-incomplete-uploads lifecycle rule.
 */
import type { S3RestClient } from '../aws/s3.ts';
import type { HistoryRecord } from '../domain/history.ts';
import { csvRow } from '../export/csv.ts';
import { EXPORT_COLUMNS, exportRow } from '../export/history-export.ts';
import type { ExportFormat } from './model.ts';

/** Bytes buffered before a part is uploaded (≥ S3's 5 MiB part minimum). */
export const PART_BYTES = 8 * 1024 * 1024;
/** Lifetime of a presigned download URL; GET /api/operations/{id} signs a fresh one. */
export const DOWNLOAD_URL_SECONDS = 3600;

export const CONTENT_TYPE: Record<ExportFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
};

export interface FileMeta {
  operation_id: string;
  exported_at: string;
  scope: Record<string, unknown>;
}

/** The text of the file, in three kinds of pieces: head, one record, tail. */
export const render = {
  head(format: ExportFormat, meta: FileMeta): string {
    if (format === 'csv') return csvRow(EXPORT_COLUMNS);
    return `{"operation_id":${JSON.stringify(meta.operation_id)},"exported_at":${JSON.stringify(meta.exported_at)},"scope":${JSON.stringify(meta.scope)},"records":[`;
  },
  record(format: ExportFormat, r: HistoryRecord, first: boolean): string {
    if (format === 'csv') return csvRow(exportRow(r));
    return (first ? '' : ',') + JSON.stringify(r);
  },
  tail(format: ExportFormat, count: number): string {
    return format === 'csv' ? '' : `],"count":${count}}`;
  },
};

export class ExportBucket {
  constructor(
    private readonly s3: S3RestClient,
    readonly bucket: string,
  ) {}

  begin(key: string, format: ExportFormat, filename: string): Promise<string> {
    return this.s3.createMultipartUpload(this.bucket, key, {
      'content-type': CONTENT_TYPE[format],
      'content-disposition': `attachment; filename="${filename}"`,
    });
  }

  part(key: string, uploadId: string, n: number, body: Buffer): Promise<string> {
    return this.s3.uploadPart(this.bucket, key, uploadId, n, body);
  }

  async complete(key: string, uploadId: string, parts: { n: number; etag: string }[]) {
    await this.s3.completeMultipartUpload(
      this.bucket,
      key,
      uploadId,
      parts.map((p) => ({ partNumber: p.n, etag: p.etag })),
    );
  }

  /** Drops an unfinished upload (cancel, failure); the lifecycle rule is the fallback. */
  async abort(key: string, uploadId: string): Promise<void> {
    await this.s3.abortMultipartUpload(this.bucket, key, uploadId);
  }

  /** A presigned GET (computed locally, no request to S3). */
  async downloadUrl(key: string, now = Date.now()): Promise<{ url: string; expires_at: string }> {
    const url = await this.s3.presignGet(this.bucket, key, DOWNLOAD_URL_SECONDS, new Date(now));
    return { url, expires_at: new Date(now + DOWNLOAD_URL_SECONDS * 1000).toISOString() };
  }
}

/** The `result` of a finished export, with a fresh download URL. */
export async function exportResult(
  bucket: ExportBucket,
  result: Record<string, unknown> | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (!result || typeof result.key !== 'string') return result;
  const { key, ...rest } = result;
  const { url, expires_at } = await bucket.downloadUrl(key);
  return { ...rest, download_url: url, download_url_expires_at: expires_at };
}
