/**
 * The environment variable that carries each table's name (set by the CDK `bindTable` helper,
 * read at cold start). Apart from the table definitions in tables.ts, which only the
 * infrastructure needs: a Lambda that reads its table names then bundles none of them.
 */
export const TABLE_ENV = {
  instances: 'INSTANCES_TABLE',
  history: 'HISTORY_TABLE',
  meta: 'META_TABLE',
  connections: 'CONNECTIONS_TABLE',
  operations: 'OPERATIONS_TABLE',
} as const;
