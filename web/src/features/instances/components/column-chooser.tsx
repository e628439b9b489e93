import { Button, Checkbox, Group, Popover, Stack } from '@mantine/core';
import { COLUMNS, COLUMN_IDS, type ColumnId } from '../columns.ts';

/**
 * Which columns the table shows: a button opening a group of labelled checkboxes (Tab / Space,
 * Escape closes and gives focus back to the button). Remembered per browser (columns.ts).
 */
export function ColumnChooser({
  visible,
  onChange,
}: {
  visible: ColumnId[];
  onChange: (visible: ColumnId[]) => void;
}) {
  const hidden = COLUMN_IDS.length - visible.length;
  return (
    <Popover position="bottom-end" shadow="md" trapFocus returnFocus withinPortal>
      <Popover.Target>
        <Button variant="default" aria-label={`Columns${hidden ? ` (${hidden} hidden)` : ''}`}>
          Columns{hidden ? ` (${hidden} hidden)` : ''}
        </Button>
      </Popover.Target>
      <Popover.Dropdown aria-label="Choose columns">
        <Stack gap="sm">
          <Checkbox.Group
            label="Show columns"
            value={visible}
            onChange={(v) => onChange(COLUMN_IDS.filter((id) => v.includes(id)))}
          >
            <Stack gap={6} mt={6}>
              {COLUMNS.map((c) => (
                <Checkbox key={c.id} value={c.id} label={c.label} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Group justify="flex-end">
            <Button
              size="xs"
              variant="subtle"
              disabled={hidden === 0}
              onClick={() => onChange([...COLUMN_IDS])}
            >
              Show all
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
