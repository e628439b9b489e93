import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  Button,
  Drawer,
  Group,
  Loader,
  Menu,
  Modal,
  Paper,
  Select,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { NARROW_QUERY } from '../../lib/media.ts';
import { usePageHeadingFocus } from '../../lib/focus.ts';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, getRouteApi } from '@tanstack/react-router';
import { STATUSES, type Status } from '../../../../shared/domain/instance.ts';
import { SORT_FIELDS, type SortField } from '../../../../shared/domain/query.ts';
import { useApi } from '../../lib/api.tsx';
import { useFlashes } from '../../lib/flash.ts';
import { describeError } from '../../lib/errors.ts';
import { clockTime } from '../../lib/format.ts';
import { SEARCH_INPUT_ID } from '../layout.tsx';
import {
  instanceQuery,
  instanceStatsQuery,
  listInstancesQuery,
} from '../../features/instances/api/queries.ts';
import {
  DEFAULT_LIMIT,
  CLEARED_FILTERS,
  hasFilters,
  toListQuery,
  type InstancesSearch,
} from '../../features/instances/search.ts';
import { StatsStrip } from '../../features/instances/components/stats-strip.tsx';
import { InstanceFilters } from '../../features/instances/components/instance-filters.tsx';
import {
  InstanceCards,
  InstancesTable,
} from '../../features/instances/components/instances-table.tsx';
import { ColumnChooser } from '../../features/instances/components/column-chooser.tsx';
import { useColumns } from '../../features/instances/columns.ts';
import { Pager } from '../../features/instances/components/pager.tsx';
import { InstanceSummary } from '../../features/instances/components/instance-summary.tsx';
import { useCreateOperation } from '../../features/operations/api/queries.ts';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';

/** Typed by path (not imported from the router, which imports this page). */
const instancesRoute = getRouteApi('/');

/**
 * Where each page of a view starts, as we paged forward: its cursor and the matches shown
 * before it, so "Previous" goes back exactly.
 */
const pageTrails = new Map<string, { cursor?: string | undefined; start: number }[]>();
const viewKey = (s: InstancesSearch) =>
  JSON.stringify([
    s.q,
    s.status,
    s.priority,
    s.model,
    s.cluster,
    s.created_from,
    s.created_to,
    s.sort,
    s.order,
    s.limit,
  ]);

const SORT_LABELS: Record<SortField, string> = {
  name: 'Name',
  created_at: 'Created',
  updated_at: 'Updated',
  status: 'Status',
  priority: 'Priority',
};

export function InstancesPage() {
  const search = instancesRoute.useSearch();
  const navigate = useNavigate({ from: '/' });
  const api = useApi();
  const flashes = useFlashes();
  const query = useMemo(() => toListQuery(search), [search]);
  const list = useQuery(listInstancesQuery(api, query));
  const stats = useQuery(instanceStatsQuery(api));
  const [selection, setSelection] = useState<Set<number>>(new Set());
  const [bulk, setBulk] = useState<{ kind: 'delete' } | { kind: 'status'; status: Status } | null>(
    null,
  );
  const createOp = useCreateOperation();
  const [columns, setColumns] = useColumns();
  const narrow = useMediaQuery(NARROW_QUERY, false, { getInitialValueInEffect: false }) ?? false;
  // A selected instance that someone deletes leaves the selection too.
  useEffect(() => {
    const gone = [...selection].filter((id) => flashes.get(id) === 'deleted');
    if (gone.length) select(gone, false);
  }, [flashes]);

  const page = search.page ?? 1;
  const limit = search.limit ?? DEFAULT_LIMIT;
  // The selection belongs to the rows on screen: a new search, filter, sort, page size or page
  // clears it. (Rather than keep a selection across views: bulk actions would then apply to
  // rows the operator no longer sees, and "7 selected" over a page with none ticked invites a
  // delete of unseen instances. Clearing is what the operator sees: nothing ticked, no bar.)
  // Done while rendering, not in an effect, so no frame shows the old selection over new rows.
  const shownView = `${viewKey(search)}:${page}`;
  const [selectionView, setSelectionView] = useState(shownView);
  if (selectionView !== shownView) {
    setSelectionView(shownView);
    if (selection.size) setSelection(new Set());
  }
  // The server says when the total is known (unfiltered, or one counted field).
  const total = list.data?.total;

  const update = (patch: Partial<InstancesSearch>, replace = false) => {
    // A new filter, sort or page size starts at page 1.
    const resets = Object.keys(patch).some(
      (k) => !['page', 'cursor', 'start', 'selected'].includes(k),
    );
    void navigate({
      search: (prev) => ({
        ...prev,
        ...(resets ? { page: undefined, cursor: undefined, start: undefined } : {}),
        ...patch,
      }),
      replace,
    });
  };

  // The rows shown belong to another view (a new search, the next page) while its request
  // runs: say so, and do not page forward from them.
  const stale = list.isPlaceholderData;
  const busy = stale || (list.isFetching && !list.data);
  // Matches before this page: a page reached by cursor says where it starts when that is not
  // after full pages (the URL carries it, so a reload or a shared link numbers rows the same).
  const offset = search.cursor ? (search.start ?? (page - 1) * limit) : (page - 1) * limit;

  const goto = (target: number, cursor: string | undefined) => {
    // Forward from placeholder rows would send the previous page's cursor again.
    if (target > page && stale) return;
    const trail = pageTrails.get(viewKey(search)) ?? [];
    trail[page - 1] = { cursor: search.cursor, start: offset };
    if (target > page)
      trail[target - 1] = { cursor, start: offset + (list.data?.items.length ?? 0) };
    pageTrails.set(viewKey(search), trail);
    const to = target > 1 ? trail[target - 1] : undefined;
    update({
      page: target > 1 ? target : undefined,
      cursor: to?.cursor,
      start: to?.cursor && to.start !== (target - 1) * limit ? to.start : undefined,
    });
  };

  const select = (ids: number[], on: boolean) =>
    setSelection((prev) => {
      const next = new Set(prev);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });

  // The bulk bar's buttons that open the dialog: focus goes back to them when it closes (the
  // menu item that opened "Change status" unmounted with its menu).
  const statusButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const openBulk = (b: NonNullable<typeof bulk>) => setBulk(b);
  const closeBulk = () => {
    const opener = bulk?.kind === 'delete' ? deleteButton : statusButton;
    setBulk(null);
    requestAnimationFrame(() => opener.current?.focus());
  };

  const runBulk = async () => {
    if (!bulk) return;
    const ids = [...selection];
    const op = await createOp.mutateAsync(
      bulk.kind === 'delete'
        ? { type: 'bulk-delete', ids }
        : { type: 'bulk-update', ids, data: { status: bulk.status } },
    );
    setBulk(null);
    setSelection(new Set());
    void navigate({ to: '/operations/$operationId', params: { operationId: op.operation_id } });
  };

  const items = list.data?.items;
  // "Search further" replaces itself with the results: focus follows to them (else it would
  // fall back to the document and a keyboard user starts over at the top).
  const results = useRef<HTMLElement | null>(null);
  const [focusOn, setFocusOn] = useState<string | null>(null);
  const here = `${viewKey(search)}:${page}`;
  useEffect(() => {
    if (focusOn !== here || stale || !items) return;
    // Another empty page keeps the button, and the focus on it.
    if (items.length) results.current?.focus();
    setFocusOn(null);
  }, [focusOn, here, stale, items]);
  const searchFurther = () => {
    if (stale) return;
    setFocusOn(`${viewKey(search)}:${page + 1}`);
    goto(page + 1, list.data?.next_cursor ?? undefined);
  };
  const heading = usePageHeadingFocus();
  const status = <ListStatus busy={busy} label={search.q ? 'Searching…' : 'Loading instances…'} />;
  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2" ref={heading} tabIndex={-1}>
          Instances
        </Title>
        <ButtonLink to="/instances/new" aria-keyshortcuts="n">
          New instance
        </ButtonLink>
      </Group>
      <StatsStrip
        stats={stats.data}
        selected={search.status ?? []}
        onToggle={(s) => {
          const cur = new Set(search.status ?? []);
          if (cur.has(s)) cur.delete(s);
          else cur.add(s);
          update({ status: cur.size ? STATUSES.filter((x) => cur.has(x)) : undefined });
        }}
      />
      <InstanceFilters
        search={search}
        stats={stats.data}
        searchInputId={SEARCH_INPUT_ID}
        onChange={(patch) => update(patch, 'q' in patch)}
      />
      {selection.size > 0 && (
        <Paper withBorder p="xs" role="region" aria-label="Bulk actions">
          <Group gap="sm">
            <Text size="sm" fw={600}>
              {selection.size} selected
            </Text>
            <Menu>
              <Menu.Target>
                <Button size="xs" variant="light" ref={statusButton}>
                  Set status…
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                {STATUSES.map((s) => (
                  <Menu.Item key={s} onClick={() => openBulk({ kind: 'status', status: s })}>
                    {s}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
            <Button
              size="xs"
              color="red"
              variant="light"
              ref={deleteButton}
              onClick={() => openBulk({ kind: 'delete' })}
            >
              Delete…
            </Button>
            <Button size="xs" variant="subtle" onClick={() => setSelection(new Set())}>
              Clear selection
            </Button>
          </Group>
        </Paper>
      )}
      {list.isRefetchError && items && (
        // A background refresh (a live change, a retry) failed: the rows stay, marked as what
        // they are, the data of an earlier answer.
        <Alert color="yellow" role="status" title="Could not refresh" p="xs">
          <Group gap="sm" justify="space-between" wrap="wrap">
            <Text size="sm">
              Showing data from {clockTime(list.dataUpdatedAt)}. {describeError(list.error).message}
            </Text>
            <Button
              size="xs"
              variant="light"
              loading={list.isFetching}
              onClick={() => void list.refetch()}
            >
              Retry
            </Button>
          </Group>
        </Alert>
      )}
      {list.isError && !items ? (
        <Paper withBorder p="md" role="alert">
          <Text fw={600}>Could not load instances</Text>
          <Text size="sm">{describeError(list.error).message}</Text>
          <Button mt="sm" size="xs" onClick={() => void list.refetch()}>
            Retry
          </Button>
        </Paper>
      ) : items && items.length === 0 && list.data?.next_cursor ? (
        // A sparse filter (text search) examines a bounded number of instances per page: an
        // empty page with a cursor means "none so far", not "none".
        <Paper withBorder p="xl" ta="center">
          <Text fw={600}>No match among the instances searched so far.</Text>
          {/* Not `disabled` while it searches: that would take the focus away. */}
          <Button
            mt="sm"
            variant="light"
            aria-busy={stale}
            aria-disabled={stale || undefined}
            data-disabled={stale || undefined}
            leftSection={stale ? <Loader size={14} /> : undefined}
            onClick={searchFurther}
          >
            Search further
          </Button>
          <Group justify="center" mt="xs">
            {status}
          </Group>
        </Paper>
      ) : items && items.length === 0 ? (
        <Paper withBorder p="xl" ta="center">
          <Text fw={600}>
            {hasFilters(search) ? 'No instance matches these filters.' : 'No instances yet.'}
          </Text>
          <Group justify="center" mt="xs">
            {status}
          </Group>
          {hasFilters(search) ? (
            <Button mt="sm" variant="light" onClick={() => update(CLEARED_FILTERS)}>
              Clear filters
            </Button>
          ) : (
            <ButtonLink mt="sm" to="/instances/new">
              Create the first instance
            </ButtonLink>
          )}
        </Paper>
      ) : (
        <>
          <Group justify="space-between" gap="sm" wrap="wrap" align="flex-end">
            {narrow ? (
              <Group gap="xs" wrap="nowrap" align="flex-end">
                <Select
                  label="Sort by"
                  data={SORT_FIELDS.map((f) => ({ value: f, label: SORT_LABELS[f] }))}
                  value={search.sort ?? 'created_at'}
                  onChange={(v) => v && update({ sort: v as SortField })}
                  allowDeselect={false}
                  w={130}
                />
                <Select
                  label="Order"
                  data={[
                    { value: 'asc', label: 'Ascending' },
                    { value: 'desc', label: 'Descending' },
                  ]}
                  value={search.order ?? 'desc'}
                  onChange={(v) => v && update({ order: v as 'asc' | 'desc' })}
                  allowDeselect={false}
                  w={130}
                />
                {status}
              </Group>
            ) : (
              status
            )}
            <Group gap="xs" align="flex-end">
              {narrow && items && items.length > 0 && (
                <Button
                  variant="default"
                  onClick={() =>
                    select(
                      items.map((i) => i.id),
                      !items.every((i) => selection.has(i.id)),
                    )
                  }
                >
                  {items.every((i) => selection.has(i.id)) ? 'Select none' : 'Select all'}
                </Button>
              )}
              <ColumnChooser visible={columns} onChange={setColumns} />
            </Group>
          </Group>
          {narrow ? (
            <InstanceCards
              items={items}
              loading={list.isFetching}
              stale={stale}
              listRef={(el) => {
                results.current = el;
              }}
              view={`${viewKey(search)}:${page}`}
              columns={columns}
              selection={selection}
              onSelect={select}
              flashes={flashes}
              onPreview={(id) => update({ selected: id })}
            />
          ) : (
            <InstancesTable
              items={items}
              loading={list.isFetching}
              stale={stale}
              listRef={(el) => {
                results.current = el;
              }}
              view={`${viewKey(search)}:${page}`}
              columns={columns}
              sort={{ sort: search.sort ?? 'created_at', order: search.order ?? 'desc' }}
              onSort={(s) => update({ sort: s.sort, order: s.order })}
              selection={selection}
              onSelect={select}
              flashes={flashes}
              onPreview={(id) => update({ selected: id })}
            />
          )}
        </>
      )}
      <Pager
        page={page}
        limit={limit}
        shown={items?.length ?? 0}
        offset={offset}
        total={total}
        hasNext={Boolean(list.data?.next_cursor)}
        onPrev={() => goto(page - 1, undefined)}
        onNext={() => goto(page + 1, list.data?.next_cursor ?? undefined)}
        onLimit={(l) => update({ limit: l === DEFAULT_LIMIT ? undefined : l })}
      />
      <PreviewDrawer id={search.selected} onClose={() => update({ selected: undefined })} />
      <Modal
        opened={bulk !== null}
        onClose={closeBulk}
        // Its opener may be a menu item, gone with its menu: closeBulk puts the focus back.
        returnFocus={false}
        title={bulk?.kind === 'delete' ? 'Delete instances' : 'Change status'}
      >
        <Stack>
          <Text>
            {bulk?.kind === 'delete'
              ? `Delete ${selection.size} instance${selection.size === 1 ? '' : 's'}? This runs as an operation you can follow and cancel.`
              : `Set the status of ${selection.size} instance${selection.size === 1 ? '' : 's'} to "${bulk?.kind === 'status' ? bulk.status : ''}"?`}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={closeBulk}>
              Cancel
            </Button>
            <Button
              color={bulk?.kind === 'delete' ? 'red' : undefined}
              loading={createOp.isPending}
              onClick={() => void runBulk().catch(() => undefined)}
            >
              {bulk?.kind === 'delete' ? 'Delete' : 'Apply'}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** A polite live region: says that the rows shown are about to be replaced. */
function ListStatus({ busy, label }: { busy: boolean; label: string }) {
  return (
    <Group gap={6} role="status" mih={22} c="dimmed" fz="sm">
      {busy && (
        <>
          <Loader size={14} aria-hidden="true" />
          {label}
        </>
      )}
    </Group>
  );
}

function PreviewDrawer({ id, onClose }: { id: number | undefined; onClose: () => void }) {
  const api = useApi();
  const q = useQuery({ ...instanceQuery(api, id ?? 0), enabled: id !== undefined });
  return (
    <Drawer
      opened={id !== undefined}
      onClose={onClose}
      position="right"
      title={q.data ? q.data.name : 'Instance'}
      size="md"
    >
      {q.data ? (
        <Stack>
          <InstanceSummary instance={q.data} />
          <Group>
            <AnchorLink to="/instances/$id" params={{ id: q.data.id }}>
              Open / edit
            </AnchorLink>
            <AnchorLink to="/instances/$id/history" params={{ id: q.data.id }}>
              History
            </AnchorLink>
          </Group>
        </Stack>
      ) : q.isError ? (
        <Text role="alert">{describeError(q.error).message}</Text>
      ) : (
        <Text c="dimmed">Loading…</Text>
      )}
    </Drawer>
  );
}
