import { memo, useCallback, useEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { Anchor, Badge, Group, Paper, Skeleton, Stack, Table, Text, Tooltip } from '@mantine/core';
import type { SortField } from '../../../../../shared/domain/query.ts';
import type { Instance } from '../../../../../client/index.ts';
import type { FlashKind } from '../../../lib/flash.ts';
import { exactTime, relativeTime } from '../../../lib/format.ts';
import { PriorityBadge, StatusBadge } from './badges.tsx';
import { InstanceAnchor } from '../../../components/links.tsx';
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

/*
 * Rows are plain elements with Mantine's class names (Table, Text, Anchor, Badge): the same DOM
 * and look as `<Table.Td>`, `<Text>`, `<Anchor>`, without a Mantine component (props, styles,
 * Box) per cell. A page of 200 instances is ~5,000 of those, and mounting them was most of the
 * time from "Next" to the painted page (bench/console.ts).
 */
const TR = `${Table.classes.tr} mantine-Table-tr`;
const TD = `${Table.classes.td} mantine-Table-td`;
const TH = `${Table.classes.th} mantine-Table-th`;
const TEXT = `${Text.classes.root} mantine-Text-root`;
const LINK = `mantine-focus-auto ${Anchor.classes.root} ${TEXT} mantine-Anchor-root`;
const SM: CSSProperties = {
  '--text-fz': 'var(--mantine-font-size-sm)',
  '--text-lh': 'var(--mantine-line-height-sm)',
} as CSSProperties;
const XS_DIMMED: CSSProperties = {
  '--text-fz': 'var(--mantine-font-size-xs)',
  '--text-lh': 'var(--mantine-line-height-xs)',
  color: 'var(--mantine-color-dimmed)',
} as CSSProperties;
const TRUNCATED: CSSProperties = { ...SM, maxWidth: 'calc(15rem * var(--mantine-scale))' };
const NAME_CELL: CSSProperties = { whiteSpace: 'nowrap', fontWeight: 500 };
const NAME_GROUP: CSSProperties = {
  '--group-gap': 'calc(0.375rem * var(--mantine-scale))',
  '--group-align': 'center',
  '--group-justify': 'flex-start',
  '--group-wrap': 'nowrap',
} as CSSProperties;
const GROUP = `${Group.classes.root} mantine-Group-root`;

/** Text in a cell, as `<Text size="sm">` renders it. */
const CellText = ({
  title,
  truncate,
  children,
}: {
  title?: string;
  truncate?: boolean;
  children: ReactNode;
}) => (
  <p
    className={`mantine-focus-auto ${TEXT}`}
    data-size="sm"
    data-truncate={truncate ? 'end' : undefined}
    title={title}
    style={truncate ? TRUNCATED : SM}
  >
    {children}
  </p>
);

/** One cell's content: the same in the table and on a card. */
function cellContent(id: ColumnId, i: Instance): ReactNode {
  switch (id) {
    case 'status':
      return <StatusBadge status={i.status} />;
    case 'priority':
      return <PriorityBadge priority={i.priority} />;
    case 'model':
      return (
        <CellText truncate title={i.model_name}>
          {i.model_name}
        </CellText>
      );
    case 'cluster':
      return <CellText>{i.cluster_name}</CellText>;
    case 'replicas':
      return i.replicas;
    case 'parallelism':
      return `${i.tp}·${i.pp}·${i.cp}`;
    case 'created':
      return <CellText title={exactTime(i.created_at)}>{relativeTime(i.created_at)}</CellText>;
    case 'updated':
      return (
        <CellText title={`${exactTime(i.updated_at)} by ${i.updated_by}`}>
          {relativeTime(i.updated_at)}
        </CellText>
      );
  }
}

const rowClass = (row: ShownRow, flashes: Map<number, FlashKind>) =>
  row.leaving ? 'leaving-row' : flashes.has(row.instance.id) ? 'flash-row' : undefined;

interface ListProps {
  items: Instance[] | undefined;
  loading: boolean;
  /** The rows shown are another view's, kept while this view's request runs: dimmed. */
  stale?: boolean;
  /** The list element (focusable from script: `tabIndex=-1`). */
  listRef?: (el: HTMLElement | null) => void;
  /** Identifies the view (filters, sort, page): deleted rows linger only within one. */
  view: string;
  columns?: ColumnId[];
  selection: Set<number>;
  onSelect: (ids: number[], selected: boolean) => void;
  flashes: Map<number, FlashKind>;
  onPreview: (id: number) => void;
}

/**
 * The callbacks of the page, stable across its renders: the memoised rows re-render only
 * when their own instance, selection or highlight changes, not on every render of the page.
 */
function useStableHandlers(onSelect: ListProps['onSelect'], onPreview: ListProps['onPreview']) {
  const latest = useRef({ onSelect, onPreview });
  latest.current = { onSelect, onPreview };
  return {
    onSelect: useCallback<ListProps['onSelect']>((ids, on) => latest.current.onSelect(ids, on), []),
    onPreview: useCallback<ListProps['onPreview']>((id) => latest.current.onPreview(id), []),
  };
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
    <div className={GROUP} style={NAME_GROUP}>
      <InstanceAnchor id={i.id} className={LINK} data-size="sm" data-underline="hover" style={SM}>
        {i.name}
      </InstanceAnchor>
      <button
        type="button"
        className={LINK}
        data-size="xs"
        data-underline="hover"
        style={XS_DIMMED}
        onClick={() => onPreview(i.id)}
        aria-label={`Preview ${i.name}`}
      >
        preview
      </button>
    </div>
  );
}

/** A native checkbox (styled in app.css): one element, not Mantine's five per row. */
export function SelectCheckbox({
  label,
  checked,
  indeterminate = false,
  disabled,
  onChange,
}: {
  label: string;
  checked: boolean;
  indeterminate?: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      className="select-box"
      aria-label={label}
      checked={checked}
      disabled={disabled}
      onChange={(e) => onChange(e.currentTarget.checked)}
    />
  );
}

function SelectBox({
  i,
  leaving,
  selected,
  onSelect,
}: {
  i: Instance;
  leaving: boolean;
  selected: boolean;
  onSelect: ListProps['onSelect'];
}) {
  return (
    <SelectCheckbox
      label={leaving ? `${i.name} (deleted)` : `Select ${i.name}`}
      checked={!leaving && selected}
      disabled={leaving}
      onChange={(on) => onSelect([i.id], on)}
    />
  );
}

interface RowProps {
  instance: Instance;
  leaving: boolean;
  selected: boolean;
  className: string | undefined;
  columns: ColumnId[];
  onSelect: ListProps['onSelect'];
  onPreview: ListProps['onPreview'];
}

const Row = memo(function Row({
  instance: i,
  leaving,
  selected,
  className,
  columns,
  onSelect,
  onPreview,
}: RowProps) {
  return (
    <tr
      className={className ? `${TR} ${className}` : TR}
      data-with-row-border
      data-hover
      data-version={i.version}
      aria-disabled={leaving || undefined}
    >
      <td className={TD}>
        <SelectBox i={i} leaving={leaving} selected={selected} onSelect={onSelect} />
      </td>
      <th className={TH} scope="row" style={NAME_CELL}>
        <NameCell i={i} leaving={leaving} onPreview={onPreview} />
      </th>
      {columns.map((c) => (
        <td key={c} className={TD}>
          {cellContent(c, i)}
        </td>
      ))}
    </tr>
  );
});

export function InstancesTable({
  items,
  loading,
  stale = false,
  listRef,
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
  const handlers = useStableHandlers(onSelect, onPreview);
  const live = (items ?? []).map((i) => i.id);
  const allSelected = live.length > 0 && live.every((id) => selection.has(id));
  const someSelected = live.some((id) => selection.has(id));
  // One array for every row (a new one per render would defeat the rows' memo).
  const columnsKey = columns.join(',');
  const stableColumns = useRef({ key: columnsKey, columns });
  if (stableColumns.current.key !== columnsKey)
    stableColumns.current = { key: columnsKey, columns };
  return (
    <Table.ScrollContainer minWidth={Math.min(860, 300 + columns.length * 80)}>
      <Table
        highlightOnHover
        verticalSpacing="xs"
        aria-label="Instances"
        aria-busy={loading}
        ref={listRef}
        tabIndex={-1}
        className={stale ? 'stale-rows' : undefined}
        style={{ whiteSpace: 'nowrap' }}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" w={36}>
              <SelectCheckbox
                label="Select all on this page"
                checked={allSelected}
                indeterminate={someSelected && !allSelected}
                onChange={(on) => onSelect(live, on)}
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
          {rows.map((row) => (
            <Row
              key={row.instance.id}
              instance={row.instance}
              leaving={row.leaving}
              selected={selection.has(row.instance.id)}
              className={rowClass(row, flashes)}
              columns={stableColumns.current.columns}
              onSelect={handlers.onSelect}
              onPreview={handlers.onPreview}
            />
          ))}
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
  stale = false,
  listRef,
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
      ref={listRef}
      tabIndex={-1}
      className={stale ? 'instance-cards stale-rows' : 'instance-cards'}
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
              <SelectBox
                i={i}
                leaving={row.leaving}
                selected={selection.has(i.id)}
                onSelect={onSelect}
              />
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
