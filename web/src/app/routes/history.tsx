import { useMemo, useState } from 'react';
import { Alert, Button, Group, Modal, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate, getRouteApi } from '@tanstack/react-router';
import { NotFoundError } from '../../../../client/index.ts';
import { useApi } from '../../lib/api.tsx';
import { describeError, notifySuccess } from '../../lib/errors.ts';
import { instanceQuery } from '../../features/instances/api/queries.ts';
import {
  compareQuery,
  historyInfiniteQuery,
  historyRecordQuery,
  restorePreviewQuery,
  useRestore,
} from '../../features/history/api/queries.ts';
import {
  hasHistoryFilters,
  timelinePatch,
  toHistoryListQuery,
  type HistorySearch,
} from '../../features/history/search.ts';
import { Timeline } from '../../features/history/components/timeline.tsx';
import { HistoryFilters } from '../../features/history/components/history-filters.tsx';
import { diffSnapshots, differencesToRows } from '../../features/history/diff.ts';
import { DiffTable } from '../../components/diff-table.tsx';
import { ExportButtons } from '../../features/history/components/export-buttons.tsx';
import { ReasonInput } from '../../components/reason-input.tsx';
import { AnchorLink } from '../../components/links.tsx';

/** Typed by path (not imported from the router, which imports this page). */
const historyRoute = getRouteApi('/instances/$id/history');

export default function HistoryPage() {
  const { id } = historyRoute.useParams();
  const search = historyRoute.useSearch();
  const navigate = useNavigate({ from: '/instances/$id/history' });
  const api = useApi();
  const instance = useQuery({ ...instanceQuery(api, id), retry: false });
  const query = useMemo(
    () => toHistoryListQuery(search),
    [search.q, search.op, search.fields, search.from, search.to],
  );
  const history = useInfiniteQuery(historyInfiniteQuery(api, id, query));
  const records = useMemo(() => history.data?.pages.flatMap((p) => p.items) ?? [], [history.data]);
  const total = history.data?.pages[0]?.total;
  const [picked, setPicked] = useState<number[]>(() => search.compare ?? []);
  const set = (patch: Partial<HistorySearch>) =>
    void navigate({ search: (prev) => ({ ...prev, ...patch }) });
  const filtered = hasHistoryFilters(search);

  const name = instance.data?.name ?? records[0]?.snapshot.name ?? `#${id}`;
  // No history at all (404): no instance ever had this id. A deleted one keeps its history.
  if (history.error instanceof NotFoundError) {
    return (
      <Stack maw={1100}>
        <Title order={1} size="h2">
          Instance not found
        </Title>
        <Text>No instance with id {id} exists or has ever existed, so it has no history.</Text>
        <AnchorLink to="/">Back to the instances</AnchorLink>
      </Stack>
    );
  }
  return (
    <Stack maw={1100}>
      <Group gap="xs">
        <AnchorLink to="/" size="sm">
          Instances
        </AnchorLink>
        <Text size="sm">/</Text>
        <AnchorLink to="/instances/$id" params={{ id }} size="sm">
          {name}
        </AnchorLink>
      </Group>
      <Group justify="space-between" wrap="wrap">
        <Title order={1} size="h2">
          History of {name}
        </Title>
        <ExportButtons id={id} />
      </Group>
      {instance.error instanceof NotFoundError && history.isSuccess && (
        <Alert color="gray" title="This instance is deleted">
          Restore one of its versions to bring it back under the same id.
        </Alert>
      )}
      <HistoryFilters
        search={search}
        label="Filter history"
        show="fields"
        onChange={(patch) => set(timelinePatch(patch))}
      />
      <Group align="center" wrap="wrap">
        <Text size="sm" aria-live="polite">
          {total !== undefined
            ? `${total} record${total === 1 ? '' : 's'}${filtered ? ' match' : ''}`
            : ''}
          {picked.length === 1 ? ' · pick one more record to compare' : ''}
        </Text>
        <Button
          disabled={picked.length !== 2}
          onClick={() => {
            const [a, b] = picked as [number, number];
            set({ compare: [Math.min(a, b), Math.max(a, b)] });
          }}
        >
          Compare selected
        </Button>
      </Group>
      {search.compare && (
        <CompareView
          pair={search.compare}
          onClose={() => {
            set({ compare: undefined });
            setPicked([]);
          }}
        />
      )}
      {history.isError ? (
        <Alert color="red" role="alert" title="Could not load the history">
          {describeError(history.error).message}
        </Alert>
      ) : !history.data ? (
        <Stack role="status" aria-busy="true" aria-label="Loading history">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} height={90} />
          ))}
        </Stack>
      ) : records.length === 0 ? (
        <Paper withBorder p="xl" ta="center">
          <Text>
            {filtered ? 'No history records match these filters.' : 'No history records.'}
          </Text>
        </Paper>
      ) : (
        <Timeline
          records={records}
          picked={picked}
          onPick={(hid, on) =>
            setPicked((p) =>
              on ? [...p.filter((x) => x !== hid), hid].slice(-2) : p.filter((x) => x !== hid),
            )
          }
          onRestore={(r) => set({ restore: r.history_id })}
          hasMore={Boolean(history.hasNextPage)}
          loadingMore={history.isFetchingNextPage}
          onLoadMore={() => {
            if (history.hasNextPage && !history.isFetchingNextPage) void history.fetchNextPage();
          }}
        />
      )}
      <RestoreDialog
        id={id}
        historyId={search.restore}
        onClose={() => set({ restore: undefined })}
      />
    </Stack>
  );
}

function CompareView({ pair, onClose }: { pair: [number, number]; onClose: () => void }) {
  const api = useApi();
  const cmp = useQuery(compareQuery(api, pair[0], pair[1]));
  return (
    <Paper withBorder p="md" role="region" aria-label="Comparison">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4">
          {cmp.data
            ? `Version ${cmp.data.record1.version} → version ${cmp.data.record2.version}`
            : 'Comparing…'}
        </Title>
        <Button variant="subtle" size="xs" onClick={onClose}>
          Close comparison
        </Button>
      </Group>
      {cmp.isError ? (
        <Text role="alert">{describeError(cmp.error).message}</Text>
      ) : cmp.data ? (
        <DiffTable
          rows={diffSnapshots(cmp.data.record1.snapshot, cmp.data.record2.snapshot)}
          leftLabel={`v${cmp.data.record1.version} (${cmp.data.record1.operation_type} by ${cmp.data.record1.actor})`}
          rightLabel={`v${cmp.data.record2.version} (${cmp.data.record2.operation_type} by ${cmp.data.record2.actor})`}
          caption="Differences between the two versions"
        />
      ) : (
        <Skeleton height={120} />
      )}
    </Paper>
  );
}

function RestoreDialog({
  id,
  historyId,
  onClose,
}: {
  id: number;
  historyId: number | undefined;
  onClose: () => void;
}) {
  const api = useApi();
  const open = historyId !== undefined;
  const record = useQuery({ ...historyRecordQuery(api, historyId ?? 0), enabled: open });
  // The diff comes from the server: what POST on the same path would change, computed against
  // `current_version`, which the restore then sends as If-Match (exactly what was previewed); a
  // deleted instance has none, so its restore asks that it still be deleted (If-None-Match: *).
  const preview = useQuery({ ...restorePreviewQuery(api, id, historyId ?? 0), enabled: open });
  const restore = useRestore();
  const [reason, setReason] = useState('');
  const target = record.data;
  const p = preview.data;
  // The next restore starts without the last one's error.
  const close = () => {
    restore.reset();
    onClose();
  };
  const error = record.error ?? preview.error;
  return (
    <Modal
      opened={open}
      onClose={close}
      size="xl"
      title={target ? `Restore version ${target.version}?` : 'Restore'}
    >
      {target && p ? (
        <Stack>
          <Text size="sm">
            {p.recreates
              ? 'The instance is deleted; restoring re-creates it with these values:'
              : p.differences.length
                ? `These fields change from the current version ${p.current_version} to version ${target.version}:`
                : `Version ${target.version} has the values of the current version ${p.current_version}: the restore only adds a version.`}
          </Text>
          <DiffTable
            rows={differencesToRows(p.differences)}
            leftLabel={p.recreates ? 'Now (deleted)' : `Current (v${p.current_version})`}
            rightLabel={`Restored (v${target.version})`}
            caption="What the restore changes"
          />
          <ReasonInput value={reason} onChange={setReason} disabled={restore.isPending} />
          {restore.error && (
            <Alert
              color="red"
              role="alert"
              title={`Restore failed: ${describeError(restore.error).title}`}
            >
              {describeError(restore.error).message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              loading={restore.isPending || preview.isFetching}
              onClick={() =>
                restore.mutate(
                  {
                    id,
                    historyId: target.history_id,
                    reason: reason.trim(),
                    version: p.recreates ? 'deleted' : (p.current_version ?? undefined),
                  },
                  {
                    onSuccess: (inst) => {
                      setReason('');
                      notifySuccess(
                        `Restored version ${target.version} as version ${inst.version}`,
                      );
                      close();
                    },
                    onError: () => {
                      // Changed since the preview (412): show the new preview, keep the reason.
                      // The error shows in the dialog (below), once: the mutation is silent.
                      void preview.refetch();
                    },
                  },
                )
              }
            >
              Restore version {target.version}
            </Button>
          </Group>
        </Stack>
      ) : error ? (
        <Text role="alert">{describeError(error).message}</Text>
      ) : (
        <Skeleton height={160} role="status" aria-label="Loading the restore preview" />
      )}
    </Modal>
  );
}
