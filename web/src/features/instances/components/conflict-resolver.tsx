import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  Radio,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { Instance } from '../../../../../client/index.ts';
import { exactTime, relativeTime, showValue } from '../../../lib/format.ts';
import { NARROW_QUERY } from '../../../lib/media.ts';
import { valuesOf, type FormValues } from '../form.ts';
import {
  defaultChoices,
  flatten,
  resolve,
  threeWay,
  unflatten,
  type Choice,
  type MergeRow,
} from '../merge.ts';

const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;
const LIST = { listStyle: 'none', margin: 0, padding: 0 } as const;

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
  const narrow = useMediaQuery(NARROW_QUERY, false, { getInitialValueInEffect: false }) ?? false;
  const choice = (r: MergeRow, layout: 'row' | 'column'): ReactNode =>
    r.state === 'same' ? (
      <Text size="sm">same on both sides</Text>
    ) : (
      <Radio.Group
        label={`Keep for ${r.path}`}
        // Named for assistive technology, out of the visual layout.
        labelProps={{ style: VISUALLY_HIDDEN }}
        value={choices[r.path] ?? 'mine'}
        onChange={(v) => setChoices((c) => ({ ...c, [r.path]: v as Choice }))}
      >
        {layout === 'row' ? (
          <Group gap="sm" wrap="nowrap">
            <Radio value="theirs" label="Current" />
            <Radio value="mine" label="Yours" />
          </Group>
        ) : (
          <Stack gap={6}>
            <Radio value="theirs" label="Current" description={`Keep ${showValue(r.theirs)}`} />
            <Radio value="mine" label="Yours" description={`Keep ${showValue(r.mine)}`} />
          </Stack>
        )}
      </Radio.Group>
    );
  // It replaces the form that had the focus (its Save button): the focus moves to its heading,
  // which a screen reader reads out, instead of falling back to <body>.
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Stack role="region" aria-labelledby={headingId}>
      <Title order={2} size="h4" id={headingId} ref={heading} tabIndex={-1}>
        Resolve conflicting changes
      </Title>
      <Alert color="orange" title="Someone else changed this instance">
        Version {current.version} was saved by <b>{current.updated_by}</b>{' '}
        <span title={exactTime(current.updated_at)}>{relativeTime(current.updated_at)}</span> (
        {exactTime(current.updated_at)}) after you started editing version {base.version}.{' '}
        {conflicts
          ? `${conflicts} field${conflicts === 1 ? '' : 's'} changed on both sides: choose which value to keep.`
          : 'No field changed on both sides.'}
      </Alert>
      {narrow ? (
        // Narrow screens: one block per field, its values and its choice stacked, so the
        // choice is never off-screen beside a visible "Save merged version".
        <Stack gap="sm" component="ul" aria-label="Three-way comparison" style={LIST}>
          {rows.map((r) => (
            <Paper
              key={r.path}
              component="li"
              withBorder
              p="sm"
              bg={r.state === 'conflict' ? 'orange.0' : undefined}
            >
              <Stack gap={6}>
                <Text component="div" fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {r.path}{' '}
                  {r.state === 'conflict' && (
                    <Badge size="xs" color="orange">
                      conflict
                    </Badge>
                  )}
                </Text>
                <dl className="conflict-values">
                  <dt>Started from (v{base.version})</dt>
                  <dd>{showValue(r.base)}</dd>
                  <dt>
                    Current (v{current.version}, {current.updated_by})
                  </dt>
                  <dd>{showValue(r.theirs)}</dd>
                  <dt>Your edit</dt>
                  <dd>{showValue(r.mine)}</dd>
                </dl>
                {choice(r, 'column')}
              </Stack>
            </Paper>
          ))}
        </Stack>
      ) : (
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
                  <Table.Td>{choice(r, 'row')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
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
