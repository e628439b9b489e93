import { Anchor, Checkbox, Group, Skeleton, Table, Text, Tooltip } from '@mantine/core';
import type { SortField } from '../../../../../shared/domain/query.ts';
import type { Instance } from '../../../../../client/index.ts';
import type { FlashKind } from '../../../lib/flash.ts';
import { exactTime, relativeTime } from '../../../lib/format.ts';
import { PriorityBadge, StatusBadge } from './badges.tsx';
import { AnchorLink } from '../../../components/links.tsx';

export interface SortState {
  sort: SortField;
  order: 'asc' | 'desc';
}

function SortHeader({
  field,
  label,
  state,
  onSort,
}: {
  field: SortField;
  label: string;
  state: SortState;
  onSort: (s: SortState) => void;
}) {
  const active = state.sort === field;
  const next: SortState = {
    sort: field,
    order:
      active && state.order === 'asc' ? 'desc' : active ? 'asc' : field === 'name' ? 'asc' : 'desc',
  };
  return (
    <Table.Th
      scope="col"
      aria-sort={active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button type="button" className="sort-button" onClick={() => onSort(next)}>
        {label}
        <span aria-hidden="true">{active ? (state.order === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </Table.Th>
  );
}

export function InstancesTable({
  items,
  loading,
  sort,
  onSort,
  selection,
  onSelect,
  flashes,
  onPreview,
}: {
  items: Instance[] | undefined;
  loading: boolean;
  sort: SortState;
  onSort: (s: SortState) => void;
  selection: Set<number>;
  onSelect: (ids: number[], selected: boolean) => void;
  flashes: Map<number, FlashKind>;
  onPreview: (id: number) => void;
}) {
  const rows = items ?? [];
  const allSelected = rows.length > 0 && rows.every((i) => selection.has(i.id));
  const someSelected = rows.some((i) => selection.has(i.id));
  return (
    <Table.ScrollContainer minWidth={860}>
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
                onChange={(e) =>
                  onSelect(
                    rows.map((i) => i.id),
                    e.currentTarget.checked,
                  )
                }
              />
            </Table.Th>
            <SortHeader field="name" label="Name" state={sort} onSort={onSort} />
            <SortHeader field="status" label="Status" state={sort} onSort={onSort} />
            <SortHeader field="priority" label="Priority" state={sort} onSort={onSort} />
            <Table.Th scope="col">Model</Table.Th>
            <Table.Th scope="col">Cluster</Table.Th>
            <Table.Th scope="col">Replicas</Table.Th>
            <Table.Th scope="col">
              <Tooltip label="Tensor / pipeline / context parallelism">
                <span>TP·PP·CP</span>
              </Tooltip>
            </Table.Th>
            <SortHeader field="created_at" label="Created" state={sort} onSort={onSort} />
            <SortHeader field="updated_at" label="Updated" state={sort} onSort={onSort} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {!items &&
            loading &&
            Array.from({ length: 8 }, (_, i) => (
              <Table.Tr key={`s${i}`} aria-hidden="true">
                {Array.from({ length: 10 }, (_, j) => (
                  <Table.Td key={j}>
                    <Skeleton height={14} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          {rows.map((i) => (
            <Table.Tr
              key={i.id}
              className={flashes.has(i.id) ? 'flash-row' : undefined}
              data-version={i.version}
            >
              <Table.Td>
                <Checkbox
                  aria-label={`Select ${i.name}`}
                  checked={selection.has(i.id)}
                  onChange={(e) => onSelect([i.id], e.currentTarget.checked)}
                />
              </Table.Td>
              <Table.Th scope="row" fw={500} style={{ whiteSpace: 'nowrap' }}>
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
              </Table.Th>
              <Table.Td>
                <StatusBadge status={i.status} />
              </Table.Td>
              <Table.Td>
                <PriorityBadge priority={i.priority} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" truncate maw={240} title={i.model_name}>
                  {i.model_name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{i.cluster_name}</Text>
              </Table.Td>
              <Table.Td>{i.replicas}</Table.Td>
              <Table.Td>
                {i.tp}·{i.pp}·{i.cp}
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={exactTime(i.created_at)}>
                  {relativeTime(i.created_at)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={`${exactTime(i.updated_at)} by ${i.updated_by}`}>
                  {relativeTime(i.updated_at)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
