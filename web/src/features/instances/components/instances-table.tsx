import type { ReactNode } from 'react';
import {
  Anchor,
  Badge,
  Checkbox,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Tooltip,
} from '@mantine/core';
import type { SortField } from '../../../../../shared/domain/query.ts';
import type { Instance } from '../../../../../client/index.ts';
import type { FlashKind } from '../../../lib/flash.ts';
import { exactTime, relativeTime } from '../../../lib/format.ts';
import { PriorityBadge, StatusBadge } from './badges.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { COLUMNS, COLUMN_IDS, type ColumnId } from '../columns.ts';
import { useLeavingRows, type ShownRow } from '../live/leaving.ts';

export interface SortState {
  sort: SortField;
  order: 'asc' | 'desc';
}

/** The next sort when a column's header is pressed: toggle, or its natural first order. */
export const nextSort = (state: SortState, field: SortField): SortState => {
  const active = state.sort === field;
  return {
    sort: field,
    order:
      active && state.order === 'asc' ? 'desc' : active ? 'asc' : field === 'name' ? 'asc' : 'desc',
  };
};

const SORTABLE: Partial<Record<ColumnId, SortField>> = {
  status: 'status',
  priority: 'priority',
  created: 'created_at',
  updated: 'updated_at',
};

function SortHeader({
  field,
  label,
  state,
  onSort,
}: {
  field: SortField;
  label: ReactNode;
  state: SortState;
  onSort: (s: SortState) => void;
}) {
  const active = state.sort === field;
  return (
    <Table.Th
      scope="col"
      aria-sort={active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort-button" onClick={() => onSort(nextSort(state, field))}>
        {label}
        <span aria-hidden="true">{active ? (state.order === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </Table.Th>
  );
}

const columnLabel = (id: ColumnId) => COLUMNS.find((c) => c.id === id)!.label;

/** One cell's content: the same in the table and on a card. */
function cellContent(id: ColumnId, i: Instance): ReactNode {
  switch (id) {
    case 'status':
      return <StatusBadge status={i.status} />;
    case 'priority':
      return <PriorityBadge priority={i.priority} />;
    case 'model':
      return (
        <Text size="sm" truncate maw={240} title={i.model_name}>
          {i.model_name}
        </Text>
      );
    case 'cluster':
      return <Text size="sm">{i.cluster_name}</Text>;
    case 'replicas':
      return i.replicas;
    case 'parallelism':
      return `${i.tp}·${i.pp}·${i.cp}`;
    case 'created':
      return (
        <Text size="sm" title={exactTime(i.created_at)}>
          {relativeTime(i.created_at)}
        </Text>
      );
    case 'updated':
      return (
        <Text size="sm" title={`${exactTime(i.updated_at)} by ${i.updated_by}`}>
          {relativeTime(i.updated_at)}
        </Text>
      );
  }
}

const rowClass = (row: ShownRow, flashes: Map<number, FlashKind>) =>
  row.leaving ? 'leaving-row' : flashes.has(row.instance.id) ? 'flash-row' : undefined;

interface ListProps {
  items: Instance[] | undefined;
  loading: boolean;
  /** Identifies the view (filters, sort, page): deleted rows linger only within one. */
  view: string;
  columns?: ColumnId[];
  selection: Set<number>;
  onSelect: (ids: number[], selected: boolean) => void;
  flashes: Map<number, FlashKind>;
  onPreview: (id: number) => void;
}

function NameCell({
  i,
  leaving,
  onPreview,
}: {
  i: Instance;
  leaving: boolean;
  onPreview: (id: number) => void;
}) {
  if (leaving)
    return (
      <Group gap={6} wrap="nowrap">
        <Text size="sm" td="line-through">
          {i.name}
        </Text>
        <Badge size="xs" color="red" variant="outline">
          deleted
        </Badge>
      </Group>
    );
  return (
    <Group gap={6} wrap="nowrap">
      <AnchorLink to="/instances/$id" params={{ id: i.id }} size="sm">
        {i.name}
      </AnchorLink>
      <Anchor
        component="button"
        type="button"
        size="xs"
        c="dimmed"
        onClick={() => onPreview(i.id)}
        aria-label={`Preview ${i.name}`}
      >
        preview
      </Anchor>
    </Group>
  );
}

function SelectBox({
  i,
  leaving,
  selection,
  onSelect,
}: {
  i: Instance;
  leaving: boolean;
  selection: Set<number>;
  onSelect: ListProps['onSelect'];
}) {
  return (
    <Checkbox
      aria-label={leaving ? `${i.name} (deleted)` : `Select ${i.name}`}
      checked={!leaving && selection.has(i.id)}
      disabled={leaving}
      onChange={(e) => onSelect([i.id], e.currentTarget.checked)}
    />
  );
}

export function InstancesTable({
  items,
  loading,
  view,
  columns = [...COLUMN_IDS],
  sort,
  onSort,
  selection,
  onSelect,
  flashes,
  onPreview,
}: ListProps & { sort: SortState; onSort: (s: SortState) => void }) {
  const rows = useLeavingRows(view, items ?? [], flashes);
  const live = (items ?? []).map((i) => i.id);
  const allSelected = live.length > 0 && live.every((id) => selection.has(id));
  const someSelected = live.some((id) => selection.has(id));
  return (
    <Table.ScrollContainer minWidth={Math.min(860, 300 + columns.length * 80)}>
      <Table
        highlightOnHover
        verticalSpacing="xs"
        aria-label="Instances"
        aria-busy={loading}
        style={{ whiteSpace: 'nowrap' }}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" w={36}>
              <Checkbox
                aria-label="Select all on this page"
                checked={allSelected}
                indeterminate={someSelected && !allSelected}
                onChange={(e) => onSelect(live, e.currentTarget.checked)}
              />
            </Table.Th>
            <SortHeader field="name" label="Name" state={sort} onSort={onSort} />
            {columns.map((c) => {
              const field = SORTABLE[c];
              if (field)
                return (
                  <SortHeader
                    key={c}
                    field={field}
                    label={columnLabel(c)}
                    state={sort}
                    onSort={onSort}
                  />
                );
              return (
                <Table.Th key={c} scope="col">
                  {c === 'parallelism' ? (
                    <Tooltip label="Tensor / pipeline / context parallelism">
                      <span>TP·PP·CP</span>
                    </Tooltip>
                  ) : (
                    columnLabel(c)
                  )}
                </Table.Th>
              );
            })}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {!items &&
            loading &&
            Array.from({ length: 8 }, (_, i) => (
              <Table.Tr key={`s${i}`} aria-hidden="true">
                {Array.from({ length: columns.length + 2 }, (_, j) => (
                  <Table.Td key={j}>
                    <Skeleton height={14} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          {rows.map((row) => {
            const i = row.instance;
            return (
              <Table.Tr
                key={i.id}
                className={rowClass(row, flashes)}
                data-version={i.version}
                aria-disabled={row.leaving || undefined}
              >
                <Table.Td>
                  <SelectBox
                    i={i}
                    leaving={row.leaving}
                    selection={selection}
                    onSelect={onSelect}
                  />
                </Table.Td>
                <Table.Th scope="row" fw={500} style={{ whiteSpace: 'nowrap' }}>
                  <NameCell i={i} leaving={row.leaving} onPreview={onPreview} />
                </Table.Th>
                {columns.map((c) => (
                  <Table.Td key={c}>{cellContent(c, i)}</Table.Td>
                ))}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * Narrow screens: one card per instance instead of a table row (no horizontal scrolling);
 * the same columns as label/value pairs, the same actions (select, open, preview).
 */
export function InstanceCards({
  items,
  loading,
  view,
  columns = [...COLUMN_IDS],
  selection,
  onSelect,
  flashes,
  onPreview,
}: ListProps) {
  const rows = useLeavingRows(view, items ?? [], flashes);
  return (
    <Stack
      gap="xs"
      component="ul"
      aria-label="Instances"
      aria-busy={loading}
      className="instance-cards"
    >
      {!items &&
        loading &&
        Array.from({ length: 4 }, (_, i) => (
          <li key={`s${i}`} aria-hidden="true">
            <Skeleton height={96} radius="md" />
          </li>
        ))}
      {rows.map((row) => {
        const i = row.instance;
        return (
          <Paper
            key={i.id}
            component="li"
            withBorder
            p="sm"
            radius="md"
            className={rowClass(row, flashes)}
            data-version={i.version}
            aria-label={row.leaving ? `${i.name} (deleted)` : i.name}
          >
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <SelectBox i={i} leaving={row.leaving} selection={selection} onSelect={onSelect} />
              <Stack gap={6} style={{ minWidth: 0, flex: 1 }}>
                <NameCell i={i} leaving={row.leaving} onPreview={onPreview} />
                <dl className="instance-card-fields">
                  {columns.map((c) => (
                    <div key={c} className={c === 'model' || c === 'cluster' ? 'wide' : undefined}>
                      <dt>{columnLabel(c)}</dt>
                      <dd>{cellContent(c, i)}</dd>
                    </div>
                  ))}
                </dl>
              </Stack>
            </Group>
          </Paper>
        );
      })}
    </Stack>
  );
}
