/**
 * Table definitions, declared once. The CDK stack and the local runtime both build their
 * tables from these objects, so a key or index cannot drift between deployed and local.
 *
 * Access patterns → keys are documented in README.md ("Data model").
 */

import { TABLE_ENV } from './table-env.ts';

/** The access a function gets to a table or bucket (least privilege). */
export type Access = 'read' | 'write';

export type AttributeType = 'S' | 'N';

export interface KeyDef {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDef {
  readonly name: string;
  readonly partitionKey: KeyDef;
  readonly sortKey: KeyDef;
  /** KEYS_ONLY keeps index writes cheap: an update touches an index only when its keys change. */
  readonly projection: 'KEYS_ONLY' | 'ALL';
}

export interface TableDef {
  /** Logical id in CDK and the suffix of the local table name. */
  readonly id: string;
  /** Environment variable through which functions receive the table name. */
  readonly envVar: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly indexes: readonly IndexDef[];
  readonly stream?: 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE';
  readonly ttlAttribute?: string;
}

const S = (name: string): KeyDef => ({ name, type: 'S' });
const N = (name: string): KeyDef => ({ name, type: 'N' });

import { HISTORY_INDEX, INSTANCE_INDEX_KEYS, OPERATION_INDEX } from './index-keys.ts';

export {
  ALL_INSTANCES_PK,
  ALL_HISTORY_PK,
  INSTANCE_LIST_SHARDS,
  HISTORY_SHARDS,
  instanceListPartition,
  historyShard,
  shardedValues,
  INSTANCE_INDEX,
  INSTANCE_INDEX_KEYS,
  type InstanceIndexName,
  OPERATION_INDEX,
  ALL_OPERATIONS_PK,
  HISTORY_INDEX,
} from './index-keys.ts';

export const tables = {
  instances: {
    id: 'Instances',
    envVar: TABLE_ENV.instances,
    partitionKey: N('id'),
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: Object.entries(INSTANCE_INDEX_KEYS).map(([name, { pk, sk }]) => ({
      name,
      partitionKey: S(pk),
      sortKey: S(sk),
      projection: 'KEYS_ONLY' as const,
    })),
  },
  history: {
    id: 'History',
    envVar: TABLE_ENV.history,
    partitionKey: N('instance_id'),
    sortKey: N('version'),
    /** Feeds the WebSocket broadcaster: a record is pushed once it is durably in history. */
    stream: 'NEW_IMAGE',
    indexes: [
      {
        name: HISTORY_INDEX.byHistoryId,
        partitionKey: S('h_pk'),
        sortKey: N('history_id'),
        projection: 'KEYS_ONLY',
      },
      {
        name: HISTORY_INDEX.byDay,
        partitionKey: S('day'),
        sortKey: S('ts_key'),
        projection: 'KEYS_ONLY',
      },
      {
        name: HISTORY_INDEX.byLatePosition,
        partitionKey: S('h_pk'),
        sortKey: N('late_pos'),
        projection: 'KEYS_ONLY',
      },
    ],
  },
  /** Counters, name claims, idempotency records and stats: small items keyed by a string. */
  meta: {
    id: 'Meta',
    envVar: TABLE_ENV.meta,
    partitionKey: S('pk'),
    indexes: [],
    ttlAttribute: 'expires_at',
  },
  /**
   * WebSocket connections and subscriptions. `CONN#<id>`/`META` holds a connection; a
   * subscription is `TOPIC#<topic>`/`<connection id>`, so fan-out is one Query per topic.
   */
  connections: {
    id: 'Connections',
    envVar: TABLE_ENV.connections,
    partitionKey: S('pk'),
    sortKey: S('sk'),
    indexes: [],
    ttlAttribute: 'expires_at',
  },
  /**
   * Long-running operations (SPEC §8). One small item per operation; its id list lives in chunk
   * items in `meta`, so checkpoints rewrite a few KB, not the list. The stream drives the worker
   * (each checkpoint triggers the next chunk); `byCreated` lists recent operations newest first.
   */
  operations: {
    id: 'Operations',
    envVar: TABLE_ENV.operations,
    partitionKey: S('operation_id'),
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [
      {
        name: OPERATION_INDEX.byCreated,
        partitionKey: S('list_pk'),
        sortKey: S('created_at'),
        projection: 'KEYS_ONLY',
      },
    ],
    ttlAttribute: 'expires_at',
  },
} as const satisfies Record<string, TableDef>;

export type TableName = keyof typeof tables;
