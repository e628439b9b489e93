import { useEffect, useRef } from 'react';
import { Badge, Button, Checkbox, Group, Paper, Stack, Text } from '@mantine/core';
import type { HistoryRecord } from '../../../../../client/index.ts';
import { exactTime, relativeTime } from '../../../lib/format.ts';
import { DiffTable } from '../../../components/diff-table.tsx';
import { changesToRows } from '../diff.ts';

export const OP_COLOR: Record<string, string> = {
  create: 'teal',
  update: 'blue',
  delete: 'red',
  restore: 'violet',
};

/** One card per record, newest first; the sentinel at the end loads the next page. */
export function Timeline({
  records,
  picked,
  onPick,
  onRestore,
  hasMore,
  loadingMore,
  onLoadMore,
}: {
  records: HistoryRecord[];
  picked: number[];
  onPick: (historyId: number, on: boolean) => void;
  onRestore: (record: HistoryRecord) => void;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasMore || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) onLoadMore();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [hasMore, onLoadMore]);
  return (
    <Stack gap="sm">
      <ol aria-label="History" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {records.map((r) => (
          <li key={r.history_id} style={{ marginBottom: 12 }}>
            <Paper withBorder p="sm" aria-label={`Version ${r.version}, ${r.operation_type}`}>
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Group gap="xs" wrap="wrap">
                  <Badge color={OP_COLOR[r.operation_type] ?? 'gray'} autoContrast>
                    {r.operation_type}
                  </Badge>
                  <Text fw={600} size="sm">
                    v{r.version}
                  </Text>
                  <Text size="sm">by {r.actor}</Text>
                  <Text size="sm" c="dimmed">
                    <time dateTime={r.operation_timestamp} title={exactTime(r.operation_timestamp)}>
                      {relativeTime(r.operation_timestamp)}
                    </time>{' '}
                    · {exactTime(r.operation_timestamp)}
                  </Text>
                  {r.restored_from !== undefined && (
                    <Badge variant="outline" color="violet">
                      restored from record #{r.restored_from}
                    </Badge>
                  )}
                  {r.operation_id && (
                    <Badge variant="outline" color="gray">
                      bulk operation
                    </Badge>
                  )}
                </Group>
                <Group gap="xs">
                  <Checkbox
                    label="Compare"
                    checked={picked.includes(r.history_id)}
                    onChange={(e) => onPick(r.history_id, e.currentTarget.checked)}
                    aria-label={`Compare version ${r.version}`}
                  />
                  {r.operation_type !== 'delete' && (
                    <Button size="compact-sm" variant="light" onClick={() => onRestore(r)}>
                      Restore v{r.version}…
                    </Button>
                  )}
                </Group>
              </Group>
              {r.reason && (
                <Text size="sm" mt={4}>
                  <b>Reason:</b> {r.reason}
                </Text>
              )}
              {r.operation_type !== 'create' && Object.keys(r.changes).length > 0 && (
                <div style={{ marginTop: 8 }}>
                  <DiffTable
                    rows={changesToRows(r.changes)}
                    leftLabel="Old"
                    rightLabel="New"
                    caption={`Changes in version ${r.version}`}
                  />
                </div>
              )}
              {r.operation_type === 'create' && (
                <Text size="sm" mt={4}>
                  Created {String(r.snapshot.name ?? '')} on {String(r.snapshot.cluster_name ?? '')}
                </Text>
              )}
            </Paper>
          </li>
        ))}
      </ol>
      <div ref={sentinel} />
      {hasMore && (
        <Button variant="default" loading={loadingMore} onClick={onLoadMore} w="fit-content">
          Load older records
        </Button>
      )}
    </Stack>
  );
}
