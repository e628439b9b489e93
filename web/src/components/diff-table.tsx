import { Badge, Table, Text } from '@mantine/core';
import type { DiffRow } from '../features/history/diff.ts';
import { showValue } from '../lib/format.ts';

const COLOR = { added: 'teal', removed: 'red', modified: 'blue' } as const;

/**
 * Side-by-side differences; the caption names the two sides for screen readers. The columns
 * share the width and long values wrap: at 375 px the table fits, with no sideways-scrolling
 * region (which a keyboard could not reach, axe scrollable-region-focusable) hiding the new
 * values.
 */
export function DiffTable({
  rows,
  leftLabel,
  rightLabel,
  caption,
}: {
  rows: DiffRow[];
  leftLabel: string;
  rightLabel: string;
  caption: string;
}) {
  if (!rows.length) return <Text c="dimmed">No differences.</Text>;
  return (
    <Table striped withTableBorder layout="fixed" className="diff-table" aria-label={caption}>
      <colgroup>
        <col style={{ width: '34%' }} />
        <col style={{ width: '33%' }} />
        <col style={{ width: '33%' }} />
      </colgroup>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Field</Table.Th>
          <Table.Th scope="col">{leftLabel}</Table.Th>
          <Table.Th scope="col">{rightLabel}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.path}>
            <Table.Th scope="row" fw={500}>
              {r.path}{' '}
              <Badge size="xs" variant="light" color={COLOR[r.kind]}>
                {r.kind}
              </Badge>
            </Table.Th>
            <Table.Td>
              <Text component="del" size="sm" c={r.left === undefined ? 'dimmed' : 'red.9'}>
                {showValue(r.left)}
              </Text>
            </Table.Td>
            <Table.Td>
              <Text component="ins" size="sm" c={r.right === undefined ? 'dimmed' : 'teal.9'}>
                {showValue(r.right)}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
