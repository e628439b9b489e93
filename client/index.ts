/**
 * Typed client for the Inference Instances API (browser or Node ≥ 22: only `fetch`,
 * `WebSocket`, `crypto.randomUUID`).
 *
 * - One method per route, named after the route's OpenAPI operationId.
 * - Retries with exponential backoff and full jitter on 429, 503 and network errors, but only
 *   for calls that are safe to repeat: GET, PUT, DELETE, reads sent as POST, and POST/PATCH
 *   carrying an `Idempotency-Key` (generated per call unless `autoIdempotencyKeys: false`).
 *   `Retry-After` is honoured.
 * - ETag-aware updates (`updateIfMatch`, `modify`): 412 → `PreconditionFailedError`.
 * - Async iterators over every page (`next_cursor`).
 * - `subscribe()`: a WebSocket subscription that pings, reconnects with backoff, resumes from
 *   the last history_id it saw and drops duplicates.
 */
import {
  ApiError,
  ConflictError,
  NetworkError,
  errorFromResponse,
  parseRetryAfter,
} from './errors.ts';
import { fullJitter, sleep, type BackoffPolicy } from './retry.ts';
import { Subscription, type SubscribeOptions, type WebSocketLike } from './subscription.ts';
import { route, type OperationInput, type OperationOutput } from './operations.ts';
import type { OperationId } from '../shared/routes/index.ts';
import type {
  BatchResult,
  BatchUpdateItem,
  CopyInstanceInput,
  CreateInstanceInput,
  DeleteResult,
  ExportFormat,
  Health,
  HistoryBatchComparison,
  HistoryComparison,
  HistoryExport,
  HistoryListQuery,
  HistoryPage,
  HistoryRecord,
  HistorySearchPage,
  HistorySearchQuery,
  HistoryStats,
  Instance,
  InstanceList,
  InstanceStats,
  ListInstancesQuery,
  Liveness,
  CreateOperationInput,
  ListOperationsQuery,
  Operation,
  OperationList,
  TimeRange,
  UpdateInstanceInput,
} from './types.ts';

export * from './errors.ts';
export * from './types.ts';
export { Subscription } from './subscription.ts';
export type { OperationInput, OperationOutput, QueryOf } from './operations.ts';
export type { OperationId } from '../shared/routes/index.ts';
export type { SubscribeOptions, SubscriptionState } from './subscription.ts';

export interface RetryPolicy extends BackoffPolicy {
  /** Retries after the first attempt (default 4). */
  retries: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown (default 60 s). */
  maxRetryAfterMs: number;
}

export interface ClientOptions {
  /** Origin of the API, e.g. `http://localhost:8000` (routes live under `/api`). */
  baseUrl: string;
  /** WebSocket URL; default: `baseUrl` with a ws scheme and `/ws`. */
  wsUrl?: string;
  /** Bearer token, or a function returning the current one (called per request). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Generate an Idempotency-Key for each write that accepts one (default true). */
  autoIdempotencyKeys?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout, ms (default 30 s). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** WebSocket constructor for `subscribe()` (default: the global one). */
  WebSocket?: new (url: string) => WebSocketLike;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Sent as `X-Request-Id`. */
  requestId?: string;
  headers?: Record<string, string>;
}

export interface WriteOptions extends CallOptions {
  /** A key of your own, or `false` to send none (then POST/PATCH are not retried). */
  idempotencyKey?: string | false;
  /** Why: kept on the history record (`X-Change-Reason`, at most 500 characters). */
  reason?: string;
}

export interface ConditionalOptions extends WriteOptions {
  /** `If-Match`: a version number, an ETag, or the instance last read. */
  ifMatch?: number | string | Pick<Instance, 'version'>;
}

export interface RequestSpec extends CallOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  /** The call changes nothing although it is a POST (e.g. batch-compare): safe to retry. */
  safe?: boolean;
  /** The route stores Idempotency-Key responses; a key is generated when allowed. */
  idempotent?: boolean;
  idempotencyKey?: string | false;
  reason?: string;
  ifMatch?: ConditionalOptions['ifMatch'];
  ifNoneMatch?: string;
  /** How to read a 2xx body (default json). */
  as?: 'json' | 'text' | 'bytes';
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface DownloadedFile<T> {
  filename: string | undefined;
  contentType: string;
  data: T;
}

const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};
const RETRY_STATUSES = new Set([429, 503]);

/** `"3"` for version 3; an ETag string passes through. */
export const etagOf = (v: number | string | Pick<Instance, 'version'>): string =>
  typeof v === 'number' ? `"${v}"` : typeof v === 'string' ? v : `"${v.version}"`;

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue;
    params.set(k, Array.isArray(v) ? v.map(String).join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function filenameOf(disposition: string | null): string | undefined {
  return disposition ? /filename="?([^";]+)"?/i.exec(disposition)?.[1] : undefined;
}

export class InstancesClient {
  readonly baseUrl: string;
  readonly wsUrl: string;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.wsUrl = options.wsUrl ?? `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
  }

  // ----- transport ---------------------------------------------------------------------------

  /** The current bearer token, if any. */
  async token(): Promise<string | undefined> {
    const t = this.options.token;
    return typeof t === 'function' ? await t() : t;
  }

  /**
   * One logical call: attempts, backoff and typed errors. Public so callers can reach a route
   * with options no typed method exposes; `body` is the parsed 2xx body.
   */
  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    const key =
      spec.idempotencyKey !== undefined
        ? spec.idempotencyKey
        : spec.idempotent && this.options.autoIdempotencyKeys !== false
          ? crypto.randomUUID()
          : false;
    const retryable =
      spec.method === 'GET' ||
      spec.method === 'PUT' ||
      spec.method === 'DELETE' ||
      spec.safe === true ||
      key !== false;
    const url = `${this.baseUrl}${spec.path}${queryString(spec.query)}`;
    const token = await this.token();
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.options.headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(spec.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key !== false ? { 'idempotency-key': key } : {}),
      ...(spec.ifMatch !== undefined ? { 'if-match': etagOf(spec.ifMatch) } : {}),
      ...(spec.ifNoneMatch !== undefined ? { 'if-none-match': spec.ifNoneMatch } : {}),
      // Header values are Latin-1: the server decodes percent-encoded UTF-8.
      ...(spec.reason !== undefined ? { 'x-change-reason': encodeURIComponent(spec.reason) } : {}),
      ...(spec.requestId ? { 'x-request-id': spec.requestId } : {}),
      ...spec.headers,
    };
    const body = spec.body !== undefined ? JSON.stringify(spec.body) : undefined;
    let lostResponse = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: spec.method,
          headers,
          ...(body !== undefined ? { body } : {}),
          signal: this.attemptSignal(spec.signal),
        });
      } catch (err) {
        if (spec.signal?.aborted) throw spec.signal.reason;
        const error = new NetworkError(`${spec.method} ${spec.path}: ${describe(err)}`, {
          cause: err,
        });
        if (!retryable || attempt >= this.retry.retries) throw error;
        lostResponse = true;
        await sleep(fullJitter(attempt, this.retry), spec.signal);
        continue;
      }
      if (res.ok || res.status === 304) {
        return { status: res.status, headers: res.headers, body: await readBody<T>(res, spec.as) };
      }
      const error = errorFromResponse(res.status, res.headers, await readBody(res, 'json'));
      // Our own earlier attempt may still be running: its key is "in progress" for a moment.
      const inProgress =
        error instanceof ConflictError &&
        key !== false &&
        lostResponse &&
        /in progress/i.test(error.message);
      if (!retryable || !(RETRY_STATUSES.has(res.status) || inProgress)) throw error;
      if (attempt >= this.retry.retries) throw error;
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      if (wait !== undefined && wait > this.retry.maxRetryAfterMs) throw error;
      await sleep(wait ?? fullJitter(attempt, this.retry), spec.signal);
    }
  }

  private attemptSignal(user: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    return user ? AbortSignal.any([user, timeout]) : timeout;
  }

  private async send<T>(spec: RequestSpec): Promise<T> {
    return (await this.request<T>(spec)).body;
  }

  /**
   * Any operation by its operationId, typed from its route definition: the methods below are
   * named shortcuts, and a route added to the API is callable here before it gets one.
   *
   *     await client.call('getInstanceByName', { params: { name: 'llama' } });
   */
  call<K extends OperationId>(
    operationId: K,
    input: OperationInput<K>,
    opts: ConditionalOptions = {},
  ): Promise<OperationOutput<K>> {
    const { params, query, body } = input as {
      params?: Record<string, string | number>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    return this.send({ ...opts, ...route(operationId, params), query, body });
  }

  /** Yields each page, following `next_cursor` until it is null. */
  async *pages<P extends { next_cursor: string | null }>(
    fetchPage: (cursor: string | undefined) => Promise<P>,
  ): AsyncGenerator<P> {
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  private async *itemsOf<T, P extends { next_cursor: string | null; items: T[] }>(
    fetchPage: (cursor: string | undefined) => Promise<P>,
  ): AsyncGenerator<T> {
    for await (const page of this.pages(fetchPage)) yield* page.items;
  }

  // ----- instances ---------------------------------------------------------------------------

  health(opts: CallOptions = {}): Promise<Health> {
    return this.send({ ...opts, ...route('health') });
  }

  /** `GET /health`: liveness only, answered without a token. */
  liveness(opts: CallOptions = {}): Promise<Liveness> {
    return this.send({ ...opts, ...route('liveness') });
  }

  listInstances(query: ListInstancesQuery = {}, opts: CallOptions = {}): Promise<InstanceList> {
    return this.send({ ...opts, ...route('listInstances'), query });
  }

  /** Every instance matching `query`, page by page (`limit` sets the page size). */
  listAllInstances(
    query: ListInstancesQuery = {},
    opts: CallOptions = {},
  ): AsyncGenerator<Instance> {
    // `page` / `skip` place the first page only; the cursor carries on from there.
    return this.itemsOf((cursor) =>
      this.listInstances(
        cursor ? { ...query, page: undefined, skip: undefined, cursor } : query,
        opts,
      ),
    );
  }

  createInstance(body: CreateInstanceInput, opts: WriteOptions = {}): Promise<Instance> {
    return this.send({ ...opts, ...route('createInstance'), body });
  }

  getInstance(id: number, opts: CallOptions = {}): Promise<Instance> {
    return this.send({ ...opts, ...route('getInstance', { id }) });
  }

  /** The instance with this name (case-insensitive), or NotFoundError. */
  getInstanceByName(name: string, opts: CallOptions = {}): Promise<Instance> {
    return this.send({ ...opts, ...route('getInstanceByName', { name }) });
  }

  /** A copy under `name`, or the first free `<name>-copy[-N]`, with `overrides` applied. */
  copyInstance(
    id: number,
    body: CopyInstanceInput = {},
    opts: WriteOptions = {},
  ): Promise<Instance> {
    return this.send({
      ...opts,
      ...route('copyInstance', { id }),
      body,
    });
  }

  /** The instance if its ETag is not `etag` any more, else null (304). */
  async getInstanceIfChanged(
    id: number,
    etag: number | string | Pick<Instance, 'version'>,
    opts: CallOptions = {},
  ): Promise<Instance | null> {
    const res = await this.request<Instance>({
      ...opts,
      ...route('getInstance', { id }),
      ifNoneMatch: etagOf(etag),
    });
    return res.status === 304 ? null : res.body;
  }

  /** PATCH: only the fields sent change; `null` clears an optional text field. */
  patchInstance(
    id: number,
    patch: UpdateInstanceInput,
    opts: ConditionalOptions = {},
  ): Promise<Instance> {
    return this.send({
      ...opts,
      ...route('patchInstance', { id }),
      body: patch,
    });
  }

  /** PUT: the same partial update as PATCH (SPEC §4). */
  putInstance(
    id: number,
    patch: UpdateInstanceInput,
    opts: ConditionalOptions = {},
  ): Promise<Instance> {
    return this.send({
      ...opts,
      ...route('putInstance', { id }),
      body: patch,
    });
  }

  /** Alias of `patchInstance`. */
  updateInstance(
    id: number,
    patch: UpdateInstanceInput,
    opts: ConditionalOptions = {},
  ): Promise<Instance> {
    return this.patchInstance(id, patch, opts);
  }

  /**
   * Updates only if the instance is still at `expected` (a version, an ETag or the instance you
   * read); otherwise throws `PreconditionFailedError` and changes nothing.
   */
  updateIfMatch(
    id: number,
    expected: number | string | Pick<Instance, 'version'>,
    patch: UpdateInstanceInput,
    opts: WriteOptions = {},
  ): Promise<Instance> {
    return this.patchInstance(id, patch, { ...opts, ifMatch: expected });
  }

  /**
   * Read-modify-write without lost updates: reads the instance, asks `change` for a patch and
   * sends it with If-Match; on 412 reads again and retries (up to `attempts`).
   */
  async modify(
    id: number,
    change: (current: Instance) => UpdateInstanceInput | Promise<UpdateInstanceInput>,
    opts: WriteOptions & { attempts?: number } = {},
  ): Promise<Instance> {
    const attempts = opts.attempts ?? 5;
    for (let i = 1; ; i++) {
      const current = await this.getInstance(id, opts);
      try {
        return await this.updateIfMatch(id, current, await change(current), opts);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 412 || i >= attempts) throw err;
      }
    }
  }

  deleteInstance(id: number, opts: ConditionalOptions = {}): Promise<DeleteResult> {
    return this.send({
      ...opts,
      ...route('deleteInstance', { id }),
    });
  }

  batchDelete(ids: number[], opts: WriteOptions & { atomic?: boolean } = {}): Promise<BatchResult> {
    return this.send({
      ...opts,
      ...route('batchDelete'),
      query: { atomic: opts.atomic },
      body: { ids },
    });
  }

  batchUpdate(
    updates: BatchUpdateItem[],
    opts: WriteOptions & { atomic?: boolean } = {},
  ): Promise<BatchResult> {
    return this.send({
      ...opts,
      ...route('batchUpdate'),
      query: { atomic: opts.atomic },
      body: { updates },
    });
  }

  instanceStats(opts: CallOptions = {}): Promise<InstanceStats> {
    return this.send({ ...opts, ...route('instanceStats') });
  }

  // ----- history -----------------------------------------------------------------------------

  listHistory(
    id: number,
    query: HistoryListQuery = {},
    opts: CallOptions = {},
  ): Promise<HistoryPage> {
    return this.send({ ...opts, ...route('listHistory', { id }), query });
  }

  /** Every history record of an instance matching `query`, page by page. */
  listAllHistory(
    id: number,
    query: HistoryListQuery = {},
    opts: CallOptions = {},
  ): AsyncGenerator<HistoryRecord> {
    // `page` / `offset` place the first page only; the cursor carries on from there.
    return this.itemsOf((cursor) =>
      this.listHistory(
        id,
        cursor ? { ...query, page: undefined, offset: undefined, cursor } : query,
        opts,
      ),
    );
  }

  historyStats(id: number, timeRange?: TimeRange, opts: CallOptions = {}): Promise<HistoryStats> {
    return this.send({
      ...opts,
      ...route('historyStats', { id }),
      query: { time_range: timeRange },
    });
  }

  exportHistory(
    id: number,
    format?: 'json',
    opts?: CallOptions,
  ): Promise<DownloadedFile<HistoryExport>>;
  exportHistory(id: number, format: 'csv', opts?: CallOptions): Promise<DownloadedFile<string>>;
  exportHistory(
    id: number,
    format: 'xlsx',
    opts?: CallOptions,
  ): Promise<DownloadedFile<Uint8Array>>;
  async exportHistory(
    id: number,
    format: ExportFormat = 'json',
    opts: CallOptions = {},
  ): Promise<DownloadedFile<unknown>> {
    const res = await this.request<unknown>({
      ...opts,
      ...route('exportHistory', { id }),
      query: { format },
      as: format === 'json' ? 'json' : format === 'csv' ? 'text' : 'bytes',
    });
    return {
      filename: filenameOf(res.headers.get('content-disposition')),
      contentType: res.headers.get('content-type') ?? '',
      data: res.body,
    };
  }

  /**
   * `ifMatch` restores only from that version; a deleted instance has none, so `ifNoneMatch: '*'`
   * restores it only while it is still deleted (both are a 412 otherwise).
   */
  restoreInstance(
    id: number,
    historyId: number,
    opts: ConditionalOptions & { ifNoneMatch?: '*' } = {},
  ): Promise<Instance> {
    return this.send({
      ...opts,
      ...route('restoreInstance', { id, history_id: historyId }),
    });
  }

  searchHistory(
    query: HistorySearchQuery = {},
    opts: CallOptions = {},
  ): Promise<HistorySearchPage> {
    return this.send({ ...opts, ...route('searchHistory'), query });
  }

  /** Every record matching a cross-instance search, newest first, page by page. */
  searchAllHistory(
    query: HistorySearchQuery = {},
    opts: CallOptions = {},
  ): AsyncGenerator<HistoryRecord> {
    return this.itemsOf((cursor) => this.searchHistory({ ...query, cursor }, opts));
  }

  compareHistory(id1: number, id2: number, opts: CallOptions = {}): Promise<HistoryComparison> {
    return this.send({
      ...opts,
      ...route('compareHistory', { id1, id2 }),
    });
  }

  batchCompareHistory(
    recordIds: number[],
    opts: CallOptions = {},
  ): Promise<HistoryBatchComparison> {
    return this.send({
      ...opts,
      ...route('batchCompareHistory'),
      body: { record_ids: recordIds },
    });
  }

  getHistoryRecord(historyId: number, opts: CallOptions = {}): Promise<HistoryRecord> {
    return this.send({ ...opts, ...route('getHistoryRecord', { history_id: historyId }) });
  }

  // ----- long-running operations -------------------------------------------------------------

  /** Starts a bulk update / bulk delete / export; answers at once (202) with its state. */
  createOperation(body: CreateOperationInput, opts: WriteOptions = {}): Promise<Operation> {
    return this.send({ ...opts, ...route('createOperation'), body });
  }

  listOperations(query: ListOperationsQuery = {}, opts: CallOptions = {}): Promise<OperationList> {
    return this.send({ ...opts, ...route('listOperations'), query });
  }

  listAllOperations(
    query: ListOperationsQuery = {},
    opts: CallOptions = {},
  ): AsyncGenerator<Operation> {
    return this.itemsOf((cursor) => this.listOperations({ ...query, cursor }, opts));
  }

  getOperation(operationId: string, opts: CallOptions = {}): Promise<Operation> {
    return this.send({ ...opts, ...route('getOperation', { operation_id: operationId }) });
  }

  /** Asks the operation to stop before its next chunk (safe to repeat). */
  cancelOperation(operationId: string, opts: CallOptions = {}): Promise<Operation> {
    return this.send({ ...opts, ...route('cancelOperation', { operation_id: operationId }) });
  }

  /** Polls until the operation reaches a terminal status (or `timeoutMs` passes). */
  async waitForOperation(
    operationId: string,
    opts: CallOptions & { intervalMs?: number; timeoutMs?: number } = {},
  ): Promise<Operation> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5 * 60_000);
    for (;;) {
      const op = await this.getOperation(operationId, opts);
      if (op.status !== 'pending' && op.status !== 'running') return op;
      if (Date.now() > deadline) throw new Error(`Operation ${operationId} is still ${op.status}`);
      await sleep(opts.intervalMs ?? 1000, opts.signal);
    }
  }

  openApiDocument(opts: CallOptions = {}): Promise<Record<string, unknown>> {
    return this.send({ ...opts, ...route('openApiDocument') });
  }

  // ----- live updates ------------------------------------------------------------------------

  /**
   * Subscribes to topics over the WebSocket API. Without `sinceHistoryId` it starts from the
   * newest history record at the time of the call, so a reconnect before the first event still
   * misses nothing.
   */
  subscribe(opts: SubscribeOptions): Subscription {
    const WebSocketImpl =
      this.options.WebSocket ??
      (globalThis.WebSocket as unknown as new (url: string) => WebSocketLike);
    return new Subscription(opts, {
      url: async () => {
        const token = await this.token();
        return token ? `${this.wsUrl}?token=${encodeURIComponent(token)}` : this.wsUrl;
      },
      WebSocket: WebSocketImpl,
    });
  }
}

async function readBody<T>(res: Response, as: RequestSpec['as'] = 'json'): Promise<T> {
  if (res.status === 204 || res.status === 304) return undefined as T;
  if (as === 'bytes') return new Uint8Array(await res.arrayBuffer()) as T;
  const text = await res.text();
  if (as === 'text') return text as T;
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
