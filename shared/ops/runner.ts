/**
 * One step of an operation: the chunk its latest checkpoint points at. A step re-reads the
 * operation (strongly consistent) and does nothing unless it is still active and still at that
 * chunk, so a stale or redelivered trigger is harmless; the checkpoint that ends a step is
 * conditional on the chunk it started from, so two runs of one step can never both advance it.
 */
import { mapBounded } from '../aws/concurrency.ts';
import { logger } from '../log.ts';
import {
  BulkExecutor,
  CLOCK_SKEW_MS,
  SUCCESS,
  type ChunkContext,
  type ItemOutcome,
} from './bulk.ts';
import { ExportBucket, PART_BYTES, CONTENT_TYPE, render } from './export-file.ts';
import { HistoryExportSource, type ExportScope } from './export-source.ts';
import {
  ITEM_CONCURRENCY,
  MAX_ERRORS,
  isTerminal,
  progressOf,
  terminalStatus,
  ttlFrom,
  type OperationItem,
} from './model.ts';
import type { CheckpointPatch, OperationRepository } from './repository.ts';
import { isTransient } from './retry.ts';

export interface RunnerDeps {
  ops: Pick<OperationRepository, 'get' | 'chunk' | 'checkpoint'>;
  bulk: Pick<BulkExecutor, 'update' | 'delete'>;
  source: HistoryExportSource;
  bucket: ExportBucket;
  clock?: () => Date;
  /** Bytes per export part (tests use small parts; S3 wants ≥ 5 MiB but for the last). */
  partBytes?: number;
}

export class OperationRunner {
  private readonly clock: () => Date;

  constructor(private readonly deps: RunnerDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Runs chunk `chunk` of operation `id` if that is still its next step. */
  async step(id: string, chunk: number): Promise<void> {
    const op = await this.deps.ops.get(id, true);
    if (!op || isTerminal(op.status) || op.next_chunk !== chunk) return;
    const startedAt = op.started_at ?? this.clock().toISOString();
    if (op.cancel_requested) {
      await this.finish(op, { status: 'cancelled', progress: op.progress });
      await this.abortUpload(op);
      return;
    }
    if (op.type === 'export') await this.exportStep(op, startedAt);
    else await this.bulkStep(op, startedAt);
  }

  private async finish(op: OperationItem, patch: CheckpointPatch): Promise<void> {
    const now = this.clock();
    await this.deps.ops.checkpoint(op.operation_id, op.next_chunk, {
      ...patch,
      updated_at: now.toISOString(),
      finished_at: now.toISOString(),
      // Kept for the TTL period after it finished, not after it was created.
      expires_at: ttlFrom(now),
    });
  }

  private async bulkStep(op: OperationItem, startedAt: string): Promise<void> {
    const k = op.next_chunk;
    if (k >= op.chunk_count) {
      // Nothing matched (total 0): finished as soon as it starts.
      await this.finish(op, {
        status: terminalStatus(op.succeeded, op.failed),
        progress: 100,
        started_at: startedAt,
        result: { counts: op.counts },
      });
      return;
    }
    const ids = await this.deps.ops.chunk(op.operation_id, k);
    const ctx: ChunkContext = {
      operationId: op.operation_id,
      actor: op.actor,
      ...(op.reason !== undefined ? { reason: op.reason } : {}),
      since: new Date(Date.parse(op.checkpoint_at) - CLOCK_SKEW_MS).toISOString(),
      ...(op.request.type !== 'export' && op.request.filter
        ? { filter: op.request.filter.query }
        : {}),
    };
    const request = op.request;
    const outcomes: ItemOutcome[] = await mapBounded(ids, ITEM_CONCURRENCY, (id) =>
      request.type === 'bulk-update'
        ? this.deps.bulk.update(id, request.data, ctx)
        : this.deps.bulk.delete(id, ctx),
    );

    const counts = { ...op.counts };
    let succeeded = op.succeeded;
    let failed = op.failed;
    const errors = [...(op.errors ?? [])];
    for (const o of outcomes) {
      counts[o.status] = (counts[o.status] ?? 0) + 1;
      if (SUCCESS.includes(o.status)) succeeded++;
      else {
        failed++;
        if (errors.length < MAX_ERRORS) {
          errors.push({
            id: o.id,
            error: o.error ?? { type: 'Error', message: o.status },
          });
        }
      }
    }
    const processed = op.processed + ids.length;
    const next = k + 1;
    const finished = next >= op.chunk_count;
    const now = this.clock();
    const patch: CheckpointPatch = {
      next_chunk: next,
      processed,
      succeeded,
      failed,
      errors,
      counts,
      status: finished ? terminalStatus(succeeded, failed) : 'running',
      progress: Math.max(op.progress, progressOf(processed, op.total, finished)),
      started_at: startedAt,
      updated_at: now.toISOString(),
      checkpoint_at: now.toISOString(),
      ...(finished
        ? { finished_at: now.toISOString(), expires_at: ttlFrom(now), result: { counts } }
        : {}),
    };
    const moved = await this.deps.ops.checkpoint(op.operation_id, k, patch);
    if (!moved)
      logger.warn('checkpoint lost to another writer', { operation_id: op.operation_id, chunk: k });
  }

  /** One part of an export (see export-file.ts); the last step completes the upload. */
  private async exportStep(op: OperationItem, startedAt: string): Promise<void> {
    if (op.request.type !== 'export' || !op.export) throw new Error('not an export');
    const { format } = op.request;
    const scope: ExportScope = {
      operation_id: op.operation_id,
      ...(op.request.instance_ids_count
        ? { instance_ids_count: op.request.instance_ids_count }
        : {}),
      ...(op.request.start_date ? { start_date: op.request.start_date } : {}),
      ...(op.request.end_date ? { end_date: op.request.end_date } : {}),
    };
    const st = op.export;
    const { source, bucket } = this.deps;
    try {
      const bound = st.bound ?? (await source.bound(scope, op.created_at));
      const uploadId = st.upload_id ?? (await bucket.begin(st.key, format, st.filename));
      let position = st.position ?? source.start(scope, bound);
      let records = st.records;
      const pieces: Buffer[] = [];
      let size = 0;
      const push = (text: string) => {
        const b = Buffer.from(text);
        pieces.push(b);
        size += b.length;
      };
      if (st.parts.length === 0) {
        const { operation_id: _o, ...shown } = scope;
        push(
          render.head(format, {
            operation_id: op.operation_id,
            exported_at: op.created_at,
            scope: { ...shown },
          }),
        );
      }
      let done = true;
      let fraction = 0;
      for await (const page of source.pages(scope, bound, position)) {
        for (const r of page.records) push(render.record(format, r, records++ === 0));
        fraction = page.fraction;
        if (!page.next) break;
        position = page.next;
        if (size >= (this.deps.partBytes ?? PART_BYTES)) {
          done = false;
          break;
        }
      }
      if (done) push(render.tail(format, records));
      const parts = [...st.parts];
      if (size > 0 || parts.length === 0) {
        const n = parts.length + 1;
        parts.push({ n, etag: await bucket.part(st.key, uploadId, n, Buffer.concat(pieces)) });
      }
      const bytes = st.bytes + size;
      const now = this.clock().toISOString();
      const exportState = { ...st, upload_id: uploadId, parts, bound, position, records, bytes };
      if (done) {
        await bucket.complete(st.key, uploadId, parts);
        await this.finish(op, {
          status: 'succeeded',
          total: records,
          processed: records,
          succeeded: records,
          progress: 100,
          started_at: startedAt,
          export: exportState,
          result: {
            format,
            records,
            bytes,
            filename: st.filename,
            content_type: CONTENT_TYPE[format],
            parts: parts.length,
            key: st.key,
          },
        });
        return;
      }
      await this.deps.ops.checkpoint(op.operation_id, op.next_chunk, {
        next_chunk: op.next_chunk + 1,
        status: 'running',
        processed: records,
        succeeded: records,
        progress: Math.max(op.progress, Math.min(99, Math.floor(fraction * 100))),
        started_at: startedAt,
        updated_at: now,
        checkpoint_at: now,
        export: exportState,
      });
    } catch (err) {
      // Throttling and outages: the stream retries the step. Anything else will not heal.
      if (isTransient(err)) throw err;
      logger.error('export failed', { operation_id: op.operation_id, error: err });
      await this.finish(op, {
        status: 'failed',
        progress: op.progress,
        started_at: startedAt,
        failure: { type: 'ExportFailed', message: 'The export file could not be written' },
      });
      await this.abortUpload(op);
    }
  }

  /** Best effort: the bucket's abort-incomplete-uploads rule removes what this misses. */
  private async abortUpload(op: OperationItem): Promise<void> {
    if (!op.export?.upload_id) return;
    await this.deps.bucket.abort(op.export.key, op.export.upload_id).catch((error: unknown) => {
      logger.warn('abort of an unfinished export upload failed', {
        operation_id: op.operation_id,
        error: (error as Error).name,
      });
    });
  }
}
