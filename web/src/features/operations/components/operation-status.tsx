import { Badge, Progress, Stack, Text } from '@mantine/core';
import type { Operation } from '../../../../../client/index.ts';
import { formatNumber } from '../../../lib/format.ts';

const COLOR: Record<Operation['status'], string> = {
  pending: 'gray',
  running: 'blue',
  succeeded: 'teal',
  partially_succeeded: 'yellow',
  failed: 'red',
  cancelled: 'dark',
};

export const OperationBadge = ({ status }: { status: Operation['status'] }) => (
  <Badge color={COLOR[status]} variant="light" autoContrast>
    {status.replace('_', ' ')}
  </Badge>
);

export function OperationProgress({ op }: { op: Operation }) {
  const label = `${op.progress}% · ${formatNumber(op.processed)}${op.total !== null ? ` of ${formatNumber(op.total)}` : ''} processed`;
  return (
    <Stack gap={4}>
      <Progress.Root size="md">
        {/* Own ARIA values: Mantine's would say only "40%", not what was processed. */}
        <Progress.Section
          value={op.progress}
          color={COLOR[op.status]}
          animated={op.status === 'running'}
          withAria={false}
          role="progressbar"
          aria-label={`Progress of operation ${op.operation_id.slice(0, 8)}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={op.progress}
          aria-valuetext={label}
        />
      </Progress.Root>
      <Text size="xs">
        {label} · {formatNumber(op.succeeded)} succeeded · {formatNumber(op.failed)} failed
      </Text>
    </Stack>
  );
}
