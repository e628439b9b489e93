/**
 * The index names and partition-key values the handlers read and write, apart from the table
 * definitions in tables.ts (which only the infrastructure needs, and which a Lambda would
 * otherwise bundle whole).
 */
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

/**
 * The instances table's indexes, each by its partition and sort key attribute (strings, keys
 * only): the list reads them by these names, and tables.ts declares the indexes from them.
 */
export const INSTANCE_INDEX_KEYS = {
  byCreated: { pk: 'list_pk', sk: 'created_at' },
  byUpdated: { pk: 'list_pk', sk: 'updated_at' },
  byName: { pk: 'list_pk', sk: 'name_lower' },
  byStatus: { pk: 'status', sk: 'created_at' },
  byPriority: { pk: 'priority', sk: 'created_at' },
  byCluster: { pk: 'cluster_name', sk: 'created_at' },
  byModel: { pk: 'model_name', sk: 'created_at' },
} as const;

export type InstanceIndexName = keyof typeof INSTANCE_INDEX_KEYS;

export const INSTANCE_INDEX = {
  byCreated: 'byCreated',
  byUpdated: 'byUpdated',
  byName: 'byName',
  byStatus: 'byStatus',
  byPriority: 'byPriority',
  byCluster: 'byCluster',
  byModel: 'byModel',
} as const satisfies { [K in InstanceIndexName]: K };

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
