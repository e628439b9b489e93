import { useEffect } from 'react';
import { getRouteApi } from '@tanstack/react-router';
import {
  Alert,
  Button,
  Code,
  Group,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Operation } from '../../../../client/index.ts';
import { useApi } from '../../lib/api.tsx';
import { describeError } from '../../lib/errors.ts';
import { exactTime } from '../../lib/format.ts';
import {
  isRunning,
  operationKeys,
  operationQuery,
  useCancelOperation,
} from '../../features/operations/api/queries.ts';
import { instanceKeys } from '../../features/instances/api/keys.ts';
import {
  OperationBadge,
  OperationProgress,
} from '../../features/operations/components/operation-status.tsx';
import { AnchorLink } from '../../components/links.tsx';

/** Typed by path (not imported from the router, which imports this page). */
const operationRoute = getRouteApi('/operations/$operationId');

export default function OperationPage() {
  const { operationId } = operationRoute.useParams();
  const api = useApi();
  const qc = useQueryClient();
  const op = useQuery(operationQuery(api, operationId));
  const cancel = useCancelOperation();
  const running = op.data ? isRunning(op.data) : false;

  // Live progress on the operation's own topic; each message is the operation's new state.
  useEffect(() => {
    if (!running) return;
    const sub = api.subscribe({
      topics: [`operation:${operationId}`],
      onMessage: (msg) => {
        if (msg.type !== 'operation.progress') return;
        const { type: _t, operation_type: _o, ...view } = msg as Record<string, unknown>;
        qc.setQueryData<Operation>(operationKeys.detail(operationId), (prev) =>
          prev && Date.parse(prev.updated_at) > Date.parse(String(view.updated_at))
            ? prev
            : ({ ...prev, ...view } as Operation),
        );
        if (!isRunning(view as Pick<Operation, 'status'>)) {
          void qc.invalidateQueries({ queryKey: operationKeys.lists() });
          void qc.invalidateQueries({ queryKey: instanceKeys.all });
        }
      },
    });
    // The operation may have moved on before the subscription was ready.
    void sub.ready.then(() =>
      qc.invalidateQueries({ queryKey: operationKeys.detail(operationId) }),
    );
    return () => void sub.close();
  }, [api, qc, operationId, running]);

  if (op.isError)
    return (
      <Alert color="red" role="alert" title="Could not load the operation">
        {describeError(op.error).message}
      </Alert>
    );
  if (!op.data)
    return (
      <div role="status" aria-label="Loading operation">
        <Skeleton height={240} />
      </div>
    );
  const o = op.data;
  const download = typeof o.result?.download_url === 'string' ? o.result.download_url : undefined;
  return (
    <Stack maw={960}>
      <AnchorLink to="/operations" size="sm">
        ← Operations
      </AnchorLink>
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          {o.type} <OperationBadge status={o.status} />
        </Title>
        {running && (
          <Button
            color="red"
            variant="light"
            loading={cancel.isPending}
            disabled={o.cancel_requested}
            onClick={() => cancel.mutate(o.operation_id)}
          >
            {o.cancel_requested ? 'Cancel requested' : 'Cancel operation'}
          </Button>
        )}
      </Group>
      <Paper withBorder p="md">
        <OperationProgress op={o} />
      </Paper>
      <Text size="sm">
        Id <Code>{o.operation_id}</Code> · by {o.actor} · created {exactTime(o.created_at)}
        {o.finished_at ? ` · finished ${exactTime(o.finished_at)}` : ''}
      </Text>
      {o.error && (
        <Alert color="red" title={o.error.type}>
          {o.error.message}
        </Alert>
      )}
      {download && (
        <Button component="a" href={download} w="fit-content">
          Download the export
        </Button>
      )}
      <Title order={2} size="h4">
        Request
      </Title>
      <Code block>{JSON.stringify(o.request, null, 2)}</Code>
      {o.errors.length > 0 && (
        <>
          <Title order={2} size="h4">
            Failed items
          </Title>
          <Table aria-label="Failed items">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Instance</Table.Th>
                <Table.Th scope="col">Error</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {o.errors.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <AnchorLink to="/instances/$id" params={{ id: e.id }}>
                      {e.id}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>
                    {e.error.type}: {e.error.message}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Stack>
  );
}
