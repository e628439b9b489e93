/**
 * Consumed capacity of the whole chain. The local stack hands the collector every DynamoDB
 * client built while it runs (`startLocalStack({ onDynamoClient: collector.observe })`): those
 * a handler module builds (API handlers and stream consumers alike) get one middleware that
 * asks each data-plane call for `ReturnConsumedCapacity: 'INDEXES'` and records the answer,
 * tagged with that module. A client of the benchmark's own is instrumented by passing it to
 * `instrument` with a label.
 *
 * DynamoDB Local's figures are what the report shows. Beside them the collector prices each
 * call the way AWS bills it, because Local diverges on transactions (measured here with
 * DynamoDB Local 1.25.1):
 * - a transactional write is billed by AWS at 2 WCU per item per started KB, each item rounded
 *   on its own (Delete / Update / ConditionCheck on the stored item). Local reports
 *   4 × (the table's items together, per started KB), e.g. 4 WCU for one 100-byte item.
 * - an index write inside a transaction costs on AWS what it costs outside one (1 WCU per
 *   KEYS_ONLY index entry written); Local reports 4 per index entry.
 * - a Query that finds nothing still costs AWS 0.5 RCU (1 if strongly consistent); Local says 0.
 * Standard (non-transactional) reads and writes, index writes included, match the formulas.
 */
import {
  DynamoDBClient,
  type ConsumedCapacity,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
// Type-only: the SDK's middleware types (a dependency of @aws-sdk/client-dynamodb).
import type { InitializeMiddleware } from '@smithy/types';
import { itemSize, writeUnits } from './item-size.ts';

export interface CapacityRecord {
  /** Handler module whose client made the call (`http/create-instance`), or a bench label. */
  source: string;
  /** `GetItem`, `TransactWriteItems`, … */
  command: string;
  /** Logical table name (`instances`, `meta`, …). */
  table: string;
  kind: 'read' | 'write';
  /** Which items, by key prefix where keys have one: `COUNTER`, `Put NAME + Delete NAME`, … */
  item: string;
  /** DynamoDB Local's CapacityUnits (table + indexes). */
  units: number;
  /** Of which index units. */
  indexUnits: number;
  /** The same call priced by AWS's rules (see the module comment). */
  awsUnits: number;
  /** Of which index units, by AWS's rules. */
  awsIndexUnits: number;
  at: number;
}

const DATA_COMMANDS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const READ_COMMANDS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** Local's multiplier on transactional writes (table per started KB of the table's items, and per index entry). */
const LOCAL_TRANSACT_FACTOR = 4;
const AWS_TRANSACT_FACTOR = 2;

type TransactItem = Record<
  string,
  { TableName: string; Item?: Record<string, unknown>; Key?: Record<string, unknown> }
>;

type Middleware = InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes>;

const MODULE = /functions\/((?:http|ws|stream)\/[\w-]+)\.ts/;

/**
 * The handler module on the call stack (tsx keeps .ts paths): the one building a client when
 * the stack shows it to the collector; undefined for a client built elsewhere.
 */
function handlerModule(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return MODULE.exec(stack)?.[1];
}

export class CapacityCollector {
  /** Off: calls pass through untouched (only the activity clock ticks). */
  enabled = false;
  records: CapacityRecord[] = [];
  /** Time of the last call seen by any instrumented client (enabled or not). */
  lastActivity = 0;
  /** Calls that failed while enabled (conditional-check failures, cancellations). */
  failures = 0;
  private readonly logical = new Map<string, string>();
  private readonly instrumented = new WeakSet<DynamoDBClient>();
  private sizing: DynamoDBDocumentClient | undefined;

  /**
   * The local stack's `onDynamoClient`: instruments a client a handler module builds, as that
   * module. Clients built elsewhere (the benchmark's seeding and sizing clients) are left alone.
   */
  readonly observe = (client: DynamoDBClient): void => {
    const source = handlerModule();
    if (source) this.instrument(client, source);
  };

  /** Physical → logical table names, and the endpoint used to size stored items. */
  configure(tableNames: Record<string, string>, endpoint: string, region: string): void {
    for (const [logical, physical] of Object.entries(tableNames))
      this.logical.set(physical, logical);
    this.sizing?.destroy();
    this.sizing = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint,
        region,
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      }),
    );
  }

  nameTable(physical: string, logical: string): void {
    this.logical.set(physical, logical);
  }

  /** Records the calls of `client` as `source` (a handler module or a benchmark label). */
  instrument(client: DynamoDBClient, source: string): void {
    // The stack may show a client the benchmark instrumented itself: one middleware each.
    if (this.instrumented.has(client)) return;
    this.instrumented.add(client);
    const middleware: Middleware = (next, context) => async (args) => {
      this.lastActivity = Date.now();
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      if (!this.enabled || !DATA_COMMANDS.has(command)) return next(args);
      const input = { ...args.input, ReturnConsumedCapacity: 'INDEXES' } as Record<string, unknown>;
      const awsTransact =
        command === 'TransactWriteItems'
          ? await this.transactPrices(input.TransactItems as TransactItem[])
          : undefined;
      let out;
      try {
        out = await next({ ...args, input: input as ServiceInputTypes });
      } catch (err) {
        this.failures++;
        throw err;
      } finally {
        this.lastActivity = Date.now();
      }
      const consumed = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
        .ConsumedCapacity;
      for (const c of [consumed ?? []].flat()) {
        this.records.push(this.toRecord(source, command, input, c, awsTransact));
      }
      return out;
    };
    client.middlewareStack.add(middleware, { step: 'initialize', name: 'benchConsumedCapacity' });
  }

  /** Returns the records since the last call and starts a new window. */
  take(): CapacityRecord[] {
    const out = this.records;
    this.records = [];
    return out;
  }

  private toRecord(
    source: string,
    command: string,
    input: Record<string, unknown>,
    c: ConsumedCapacity,
    awsTransact: Map<string, number> | undefined,
  ): CapacityRecord {
    const physical = c.TableName ?? '?';
    const units = c.CapacityUnits ?? 0;
    const indexUnits = Object.values(c.GlobalSecondaryIndexes ?? {}).reduce(
      (n, i) => n + (i.CapacityUnits ?? 0),
      0,
    );
    const kind: CapacityRecord['kind'] =
      c.ReadCapacityUnits !== undefined && !c.WriteCapacityUnits
        ? 'read'
        : c.WriteCapacityUnits !== undefined
          ? 'write'
          : READ_COMMANDS.has(command)
            ? 'read'
            : 'write';
    let awsUnits = units;
    let awsIndexUnits = indexUnits;
    if (awsTransact) {
      awsIndexUnits = indexUnits / LOCAL_TRANSACT_FACTOR;
      awsUnits = (awsTransact.get(physical) ?? 0) + awsIndexUnits;
    } else if ((command === 'Query' || command === 'Scan') && units === 0) {
      awsUnits = input.ConsistentRead ? 1 : 0.5;
    }
    return {
      source,
      command,
      table: this.logical.get(physical) ?? physical,
      kind,
      item: itemLabel(command, input, physical),
      units,
      indexUnits,
      awsUnits,
      awsIndexUnits,
      at: Date.now(),
    };
  }

  /** AWS table units of a TransactWriteItems per table: 2 × started KB of each item. */
  private async transactPrices(items: TransactItem[] | undefined): Promise<Map<string, number>> {
    const byTable = new Map<string, number>();
    for (const entry of items ?? []) {
      const [op, action] = Object.entries(entry)[0] ?? [];
      if (!op || !action) continue;
      let bytes: number;
      if (op === 'Put' && action.Item) bytes = itemSize(action.Item);
      else bytes = await this.storedSize(action.TableName, action.Key ?? {});
      byTable.set(
        action.TableName,
        (byTable.get(action.TableName) ?? 0) + AWS_TRANSACT_FACTOR * writeUnits(bytes),
      );
    }
    return byTable;
  }

  /** Size of the stored item an Update / Delete / ConditionCheck acts on (its key if absent). */
  private async storedSize(table: string, key: Record<string, unknown>): Promise<number> {
    if (!this.sizing) return itemSize(key);
    const res = await this.sizing.send(
      new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    return itemSize(res.Item ?? key);
  }
}

/** `IDEMPOTENCY#…` → `IDEMPOTENCY`: the kind of a meta or connections item. */
function prefixOf(keyOrItem: Record<string, unknown> | undefined): string {
  const pk = keyOrItem?.pk;
  return typeof pk === 'string' ? (pk.split('#')[0] ?? '') : '';
}

function itemLabel(command: string, input: Record<string, unknown>, physical: string): string {
  if (command === 'TransactWriteItems') {
    return ((input.TransactItems as TransactItem[] | undefined) ?? [])
      .flatMap((entry) => Object.entries(entry))
      .filter(([, a]) => a.TableName === physical)
      .map(([op, a]) => [op, prefixOf(a.Key ?? a.Item)].filter(Boolean).join(' '))
      .join(' + ');
  }
  return prefixOf((input.Key ?? input.Item ?? undefined) as Record<string, unknown> | undefined);
}

export interface CapacitySum {
  rcu: number;
  wcu: number;
  awsRcu: number;
  awsWcu: number;
  /** WCU of index writes (Local's figure). */
  indexWcu: number;
}

export function sumCapacity(records: readonly CapacityRecord[]): CapacitySum {
  const s: CapacitySum = { rcu: 0, wcu: 0, awsRcu: 0, awsWcu: 0, indexWcu: 0 };
  for (const r of records) {
    if (r.kind === 'read') {
      s.rcu += r.units;
      s.awsRcu += r.awsUnits;
    } else {
      s.wcu += r.units;
      s.awsWcu += r.awsUnits;
      s.indexWcu += r.indexUnits;
    }
  }
  return s;
}
