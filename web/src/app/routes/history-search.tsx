import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, getRouteApi } from '@tanstack/react-router';
import { useApi } from '../../lib/api.tsx';
import { describeError } from '../../lib/errors.ts';
import { exactTime, relativeTime } from '../../lib/format.ts';
import { AnchorLink } from '../../components/links.tsx';
import { historySearchQuery } from '../../features/history/api/queries.ts';
import {
  hasHistoryFilters,
  toHistorySearchQuery,
  type HistorySearchAcross,
} from '../../features/history/search.ts';
import { HistoryFilters } from '../../features/history/components/history-filters.tsx';
import { OP_COLOR } from '../../features/history/components/timeline.tsx';

/** Typed by path (not imported from the router, which imports this page). */
const searchRoute = getRouteApi('/history');

/** A create or delete record lists every field as changed: the column says "—" instead. */
const WHOLE_RECORD = new Set(['create', 'delete']);
/** Short cells keep their line; the changed fields and reason take the wrap. */
const NO_WRAP = { whiteSpace: 'nowrap' } as const;

/** History across instances: newest first, one page per URL (`cursor`), filters in the URL. */
export default function HistorySearchPage() {
  const search = searchRoute.useSearch();
  const navigate = useNavigate({ from: '/history' });
  const api = useApi();
  const result = useQuery(historySearchQuery(api, toHistorySearchQuery(search)));
  const set = (patch: Partial<HistorySearchAcross>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }) });
  const page = result.data;
  const filtered = hasHistoryFilters(search);
  return (
    <Stack maw={1200}>
      <Title order={1} size="h2">
        Audit log
      </Title>
      <Text size="sm" c="dimmed">
        History search across every instance, deleted ones included, newest first.
      </Text>
      <HistoryFilters
        search={search}
        label="Search history"
        show="ids"
        onChange={(patch) => set({ ...patch, cursor: undefined })}
      />
      {result.isError ? (
        <Alert color="red" role="alert" title="Could not search the history">
          {describeError(result.error).message}
        </Alert>
      ) : !page ? (
        <Stack role="status" aria-busy="true" aria-label="Loading history">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} height={36} />
          ))}
        </Stack>
      ) : page.items.length === 0 && !page.next_cursor ? (
        <Paper withBorder p="xl" ta="center">
          <Text>
            {filtered ? 'No history records match this search.' : 'No history records yet.'}
          </Text>
        </Paper>
      ) : (
        <>
          <Table.ScrollContainer minWidth={760}>
            <Table
              striped
              highlightOnHover
              aria-label="History records"
              aria-busy={result.isFetching}
              style={{ opacity: result.isPlaceholderData ? 0.6 : 1 }}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Instance</Table.Th>
                  <Table.Th scope="col">Operation</Table.Th>
                  <Table.Th scope="col">Actor</Table.Th>
                  <Table.Th scope="col">Changed fields</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((r) => (
                  <Table.Tr key={r.history_id}>
                    <Table.Td style={NO_WRAP}>
                      <time
                        dateTime={r.operation_timestamp}
                        title={exactTime(r.operation_timestamp)}
                      >
                        {relativeTime(r.operation_timestamp)}
                      </time>
                    </Table.Td>
                    <Table.Td style={NO_WRAP}>
                      <AnchorLink
                        to="/instances/$id/history"
                        params={{ id: r.instance_id }}
                        search={{}}
                        size="sm"
                      >
                        {String(r.snapshot.name ?? `#${r.instance_id}`)}
                      </AnchorLink>{' '}
                      <Text span size="xs" c="dimmed">
                        #{r.instance_id} v{r.version}
                      </Text>
                    </Table.Td>
                    <Table.Td style={NO_WRAP}>
                      <Badge
                        color={OP_COLOR[r.operation_type] ?? 'gray'}
                        autoContrast
                        // Mantine's badge hides its overflow, so its minimum width in an auto-sized
                        // column is ~0 and the table cut "RESTORE" to "RESTO…".
                        miw="max-content"
                      >
                        {r.operation_type}
                      </Badge>
                    </Table.Td>
                    <Table.Td style={NO_WRAP}>
                      <Text size="sm">{r.actor}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {WHOLE_RECORD.has(r.operation_type)
                          ? '—'
                          : r.changed_fields.join(', ') || '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{r.reason ?? ''}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {page.items.length === 0 && (
            <Text size="sm">No matches on this page: the search goes on in the next one.</Text>
          )}
          <Group justify="space-between" wrap="wrap">
            <Text size="sm" aria-live="polite">
              {`${page.count} record${page.count === 1 ? '' : 's'} on this page`}
            </Text>
            <Group gap="xs" role="group" aria-label="Pages">
              <Button
                variant="default"
                disabled={!search.cursor}
                onClick={() => set({ cursor: undefined })}
              >
                Newest
              </Button>
              <Button
                variant="default"
                disabled={!page.next_cursor || result.isPlaceholderData}
                onClick={() => {
                  set({ cursor: page.next_cursor ?? undefined });
                  window.scrollTo({ top: 0 });
                }}
              >
                Older records
              </Button>
            </Group>
          </Group>
        </>
      )}
    </Stack>
  );
}
