/**
 * Which optional columns of the instances table show: a per-browser preference kept in
 * localStorage (not in the URL: a shared link shows the reader's own columns). Name and the
 * selection box always show; everything else can be hidden.
 */
import { useLocalStorage } from '@mantine/hooks';

export const COLUMNS = [
  { id: 'status', label: 'Status' },
  { id: 'priority', label: 'Priority' },
  { id: 'model', label: 'Model' },
  { id: 'cluster', label: 'Cluster' },
  { id: 'replicas', label: 'Replicas' },
  { id: 'parallelism', label: 'TP·PP·CP' },
  { id: 'created', label: 'Created' },
  { id: 'updated', label: 'Updated' },
] as const;

export type ColumnId = (typeof COLUMNS)[number]['id'];
export const COLUMN_IDS: readonly ColumnId[] = COLUMNS.map((c) => c.id);
export const COLUMNS_STORAGE_KEY = 'inference-instances:instances-columns';

/**
 * Stored as the list of *hidden* columns, so that a column added in a later release shows by
 * default. Anything unreadable (hand-edited, another version) falls back to every column.
 */
export function parseHiddenColumns(raw: string | null | undefined): ColumnId[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    if (!Array.isArray(v)) return [];
    return COLUMN_IDS.filter((id) => v.includes(id));
  } catch {
    return [];
  }
}

export const serializeHiddenColumns = (hidden: readonly ColumnId[]) =>
  JSON.stringify(COLUMN_IDS.filter((id) => hidden.includes(id)));

/** The visible columns, in table order, for a set of hidden ones. */
export const visibleColumns = (hidden: readonly ColumnId[]): ColumnId[] =>
  COLUMN_IDS.filter((id) => !hidden.includes(id));

/** The visible columns and a setter, remembered in this browser (and synced across its tabs). */
export function useColumns(): [ColumnId[], (visible: ColumnId[]) => void] {
  const [hidden, setHidden] = useLocalStorage<ColumnId[]>({
    key: COLUMNS_STORAGE_KEY,
    defaultValue: [],
    // Read before the first paint: no flash of columns the user hid.
    getInitialValueInEffect: false,
    serialize: serializeHiddenColumns,
    deserialize: (raw) => parseHiddenColumns(raw),
  });
  return [
    visibleColumns(hidden),
    (visible) => setHidden(COLUMN_IDS.filter((id) => !visible.includes(id))),
  ];
}
