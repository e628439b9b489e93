import { useState } from 'react';
import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, getRouteApi } from '@tanstack/react-router';
import { AnchorLink } from '../../components/links.tsx';
import { OPERATION_STATUSES, OPERATION_TYPES } from '../../../../shared/ops/view.ts';
import { useApi } from '../../lib/api.tsx';
import { describeError } from '../../lib/errors.ts';
import { exactTime, relativeTime } from '../../lib/format.ts';
import { listOperationsQuery, useCreateOperation } from '../../features/operations/api/queries.ts';
import type { OperationsSearch } from '../../features/operations/search.ts';
import {
  OperationBadge,
  OperationProgress,
} from '../../features/operations/components/operation-status.tsx';

/** Typed by path (not imported from the router, which imports this page). */
const operationsRoute = getRouteApi('/operations');

export default function OperationsPage() {
  const search = operationsRoute.useSearch();
  const navigate = useNavigate({ from: '/operations' });
  const api = useApi();
  const list = useQuery(listOperationsQuery(api, { limit: 50, ...search }));
  const [exportOpen, setExportOpen] = useState(false);
  const [format, setFormat] = useState<'json' | 'csv'>('csv');
  const create = useCreateOperation();
  const set = (patch: Partial<OperationsSearch>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }) });
  return (
    <Stack maw={1200}>
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          Operations
        </Title>
        <Button onClick={() => setExportOpen(true)}>Export all history…</Button>
      </Group>
      <Group wrap="wrap" role="search" aria-label="Filter operations">
        <Select
          label="Status"
          placeholder="Any"
          data={[...OPERATION_STATUSES]}
          value={search.status ?? null}
          onChange={(v) => set({ status: (v ?? undefined) as OperationsSearch['status'] })}
          clearable
        />
        <Select
          label="Type"
          placeholder="Any"
          data={[...OPERATION_TYPES]}
          value={search.type ?? null}
          onChange={(v) => set({ type: (v ?? undefined) as OperationsSearch['type'] })}
          clearable
        />
      </Group>
      {list.isError ? (
        <Alert color="red" role="alert" title="Could not load operations">
          {describeError(list.error).message}
        </Alert>
      ) : !list.data ? (
        <div role="status" aria-label="Loading operations">
          <Skeleton height={200} />
        </div>
      ) : list.data.items.length === 0 ? (
        <Paper withBorder p="xl" ta="center">
          <Text>
            No operations yet. Select instances in the table to update or delete them in bulk.
          </Text>
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="Operations" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Operation</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col" w="35%">
                  Progress
                </Table.Th>
                <Table.Th scope="col">By</Table.Th>
                <Table.Th scope="col">Started</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.items.map((op) => (
                <Table.Tr key={op.operation_id}>
                  <Table.Th scope="row">
                    <AnchorLink
                      to="/operations/$operationId"
                      params={{ operationId: op.operation_id }}
                      size="sm"
                    >
                      {op.type} {op.operation_id.slice(0, 8)}
                    </AnchorLink>
                  </Table.Th>
                  <Table.Td>
                    <OperationBadge status={op.status} />
                  </Table.Td>
                  <Table.Td>
                    <OperationProgress op={op} />
                  </Table.Td>
                  <Table.Td>{op.actor}</Table.Td>
                  <Table.Td title={exactTime(op.created_at)}>
                    {relativeTime(op.created_at)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={exportOpen} onClose={() => setExportOpen(false)} title="Export all history">
        <Stack>
          <Text size="sm">
            Every history record, written to a file you can download when the operation finishes.
          </Text>
          <Select
            label="Format"
            data={['csv', 'json']}
            value={format}
            allowDeselect={false}
            onChange={(v) => v && setFormat(v as 'json' | 'csv')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setExportOpen(false)}>
              Cancel
            </Button>
            <Button
              loading={create.isPending}
              onClick={() =>
                create.mutate(
                  { type: 'export', format },
                  {
                    onSuccess: (op) => {
                      setExportOpen(false);
                      void navigate({
                        to: '/operations/$operationId',
                        params: { operationId: op.operation_id },
                      });
                    },
                  },
                )
              }
            >
              Start export
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
