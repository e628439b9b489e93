import { useMemo, useState } from 'react';
import { Alert, Badge, Button, Group, Radio, Stack, Table, Text } from '@mantine/core';
import type { Instance } from '../../../../../client/index.ts';
import { exactTime, relativeTime, showValue } from '../../../lib/format.ts';
import { valuesOf, type FormValues } from '../form.ts';
import { defaultChoices, flatten, resolve, threeWay, unflatten, type Choice } from '../merge.ts';

const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

/**
 * After a 412: the version the edit started from, the current one (who changed it, when) and
 * the operator's edits, field by field; a choice per field, then save against the current one.
 */
export function ConflictResolver({
  base,
  current,
  mine,
  saving,
  onResolve,
  onDiscard,
}: {
  base: Instance;
  current: Instance;
  mine: FormValues;
  saving: boolean;
  onResolve: (values: FormValues) => void;
  onDiscard: () => void;
}) {
  const theirs = useMemo(() => flatten(valuesOf(current)), [current]);
  const rows = useMemo(
    () => threeWay(flatten(valuesOf(base)), theirs, flatten(mine)),
    [base, theirs, mine],
  );
  const [choices, setChoices] = useState<Record<string, Choice>>(() => defaultChoices(rows));
  const conflicts = rows.filter((r) => r.state === 'conflict').length;
  return (
    <Stack role="region" aria-label="Resolve conflicting changes">
      <Alert color="orange" title="Someone else changed this instance">
        Version {current.version} was saved by <b>{current.updated_by}</b>{' '}
        <span title={exactTime(current.updated_at)}>{relativeTime(current.updated_at)}</span> (
        {exactTime(current.updated_at)}) after you started editing version {base.version}.{' '}
        {conflicts
          ? `${conflicts} field${conflicts === 1 ? '' : 's'} changed on both sides: choose which value to keep.`
          : 'No field changed on both sides.'}
      </Alert>
      <Table.ScrollContainer minWidth={640}>
        <Table withTableBorder aria-label="Three-way comparison">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Field</Table.Th>
              <Table.Th scope="col">Started from (v{base.version})</Table.Th>
              <Table.Th scope="col">
                Current (v{current.version}, {current.updated_by})
              </Table.Th>
              <Table.Th scope="col">Your edit</Table.Th>
              <Table.Th scope="col">Keep</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.path} bg={r.state === 'conflict' ? 'orange.0' : undefined}>
                <Table.Th scope="row">
                  {r.path}{' '}
                  {r.state === 'conflict' && (
                    <Badge size="xs" color="orange">
                      conflict
                    </Badge>
                  )}
                </Table.Th>
                <Table.Td>{showValue(r.base)}</Table.Td>
                <Table.Td>{showValue(r.theirs)}</Table.Td>
                <Table.Td>{showValue(r.mine)}</Table.Td>
                <Table.Td>
                  {r.state === 'same' ? (
                    <Text size="sm">same on both sides</Text>
                  ) : (
                    <Radio.Group
                      label={`Keep for ${r.path}`}
                      // Named for assistive technology, out of the visual layout.
                      labelProps={{ style: VISUALLY_HIDDEN }}
                      value={choices[r.path] ?? 'mine'}
                      onChange={(v) => setChoices((c) => ({ ...c, [r.path]: v as Choice }))}
                    >
                      <Group gap="sm" wrap="nowrap">
                        <Radio value="theirs" label="Current" />
                        <Radio value="mine" label="Yours" />
                      </Group>
                    </Radio.Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group>
        <Button
          loading={saving}
          onClick={() => onResolve(unflatten(resolve(theirs, rows, choices), valuesOf(current)))}
        >
          Save merged version
        </Button>
        <Button variant="default" onClick={onDiscard}>
          Discard my edits
        </Button>
      </Group>
    </Stack>
  );
}
