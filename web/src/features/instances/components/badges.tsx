import { Badge } from '@mantine/core';
import type { Priority, Status } from '../../../../../client/index.ts';

export const STATUS_COLOR: Record<Status, string> = {
  pending: 'yellow',
  active: 'teal',
  inactive: 'gray',
  error: 'red',
  terminated: 'grape',
};
export const PRIORITY_COLOR: Record<Priority, string> = {
  low: 'gray',
  medium: 'blue',
  high: 'orange',
  critical: 'red',
};

export const StatusBadge = ({ status }: { status: Status }) => (
  <Badge color={STATUS_COLOR[status]} variant="light" autoContrast>
    {status}
  </Badge>
);

export const PriorityBadge = ({ priority }: { priority: Priority }) => (
  <Badge color={PRIORITY_COLOR[priority]} variant="outline" autoContrast>
    {priority}
  </Badge>
);
