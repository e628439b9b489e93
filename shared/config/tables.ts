/**
 * Table definitions, declared once. The CDK stack and the local runtime both build their
 * tables from these objects, so a key or index cannot drift between deployed and local.
 *
 * Access patterns → keys are documented in README.md ("Data model").
 */

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

/**
 * Partition value of the "all instances" indexes before they were sharded: still read (items
 * written by earlier versions keep it until their next write), never written.
 */
export const ALL_INSTANCES_PK = 'I';
/** The same for the global history-order index and its late-position index. */
export const ALL_HISTORY_PK = 'H';

/**
 * Shards of the single-partition index keys (docs/reliability.md, "Hot keys"): every write of
 * the fleet lands in `list_pk`, `h_pk` and `day`, so each value is split into shards that
 * readers merge. 16 puts `byUpdated` (2 index writes per update, ~500 updates/s a partition) at
 * 13× the design peak of 600 changes/s; 8 puts the history indexes (1 write per record) at 13×.
 */
export const INSTANCE_LIST_SHARDS = 16;
export const HISTORY_SHARDS = 8;

/** The `list_pk` an instance is written with: its shard of the all-instances indexes. */
export const instanceListPartition = (id: number): string =>
  `${ALL_INSTANCES_PK}#${id % INSTANCE_LIST_SHARDS}`;

/** The history shard of a record (its `h_pk` and `day` suffix). */
export const historyShard = (historyId: number): number => historyId % HISTORY_SHARDS;

/** Every value a sharded partition `base` is read from: the unsharded one, then each shard. */
export const shardedValues = (base: string, shards: number): string[] => [
  base,
  ...Array.from({ length: shards }, (_, n) => `${base}#${n}`),
];

export const INSTANCE_INDEX = {
  byCreated: 'byCreated',
  byUpdated: 'byUpdated',
  byName: 'byName',
  byStatus: 'byStatus',
  byPriority: 'byPriority',
  byCluster: 'byCluster',
  byModel: 'byModel',
} as const;

export const OPERATION_INDEX = {
  byCreated: 'byCreated',
} as const;
/** Constant partition value of the recent-operations index. */
export const ALL_OPERATIONS_PK = 'O';

export const HISTORY_INDEX = {
  byHistoryId: 'byHistoryId',
  byDay: 'byDay',
  /**
   * Records posted late (their position moved forward), by that position: sparse, only they
   * have `late_pos` (docs/reliability.md, "Resume").
   */
  byLatePosition: 'byLatePosition',
} as const;

export const tables = {
  instances: {
    id: 'Instances',
    envVar: 'INSTANCES_TABLE',
    partitionKey: N('id'),
    stream: 'NEW_AND_OLD_IMAGES',
    indexes: [
      {
        name: INSTANCE_INDEX.byCreated,
        partitionKey: S('list_pk'),
        sortKey: S('created_at'),
        projection: 'KEYS_ONLY',
      },
      {
        name: INSTANCE_INDEX.byUpdated,
        partitionKey: S('list_pk'),
        sortKey: S('updated_at'),
        projection: 'KEYS_ONLY',
      },
      {
        name: INSTANCE_INDEX.byName,
        partitionKey: S('list_pk'),
        sortKey: S('name_lower'),
        projection: 'KEYS_ONLY',
      },
      {
        name: INSTANCE_INDEX.byStatus,
        partitionKey: S('status'),
        sortKey: S('created_at'),
        projection: 'KEYS_ONLY',
      },
      {
        name: INSTANCE_INDEX.byPriority,
        partitionKey: S('priority'),
        sortKey: S('created_at'),
        projection: 'KEYS_ONLY',
      },
      {
        name: INSTANCE_INDEX.byCluster,
        partitionKey: S('cluster_name'),
        sortKey: S('created_at'),
        projection: 'KEYS_ONLY',
      },
      {
        name: INSTANCE_INDEX.byModel,
        partitionKey: S('model_name'),
        sortKey: S('created_at'),
        projection: 'KEYS_ONLY',
      },
    ],
  },
  history: {
    id: 'History',
    envVar: 'HISTORY_TABLE',
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
    envVar: 'META_TABLE',
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
    envVar: 'CONNECTIONS_TABLE',
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
    envVar: 'OPERATIONS_TABLE',
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
