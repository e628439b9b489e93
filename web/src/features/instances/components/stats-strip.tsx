import { Chip, Group, Skeleton, Text } from '@mantine/core';
import { STATUSES, type Status } from '../../../../../shared/domain/instance.ts';
import type { InstanceStats } from '../../../../../client/index.ts';
import { formatNumber } from '../../../lib/format.ts';

/** Counts by status (GET /api/instances/stats); each one toggles its status filter. */
export function StatsStrip({
  stats,
  selected,
  onToggle,
}: {
  stats: InstanceStats | undefined;
  selected: Status[];
  onToggle: (status: Status) => void;
}) {
  if (!stats)
    return (
      <div role="status" aria-label="Loading counts">
        <Skeleton height={32} radius="xl" />
      </div>
    );
  return (
    <Group gap="xs" role="group" aria-label="Instances by status">
      <Text fw={600} size="sm">
        {formatNumber(stats.total)} instances
      </Text>
      {STATUSES.map((s) => (
        <Chip
          key={s}
          size="xs"
          checked={selected.includes(s)}
          onChange={() => onToggle(s)}
          aria-label={`${s}: ${stats.by_status[s] ?? 0}`}
        >
          {s} {formatNumber(stats.by_status[s] ?? 0)}
        </Chip>
      ))}
    </Group>
  );
}
