import { ActionIcon, Button, Fieldset, Group, Stack, Text, TextInput } from '@mantine/core';
import { envRow, type EnvRow, type FieldErrors } from '../form.ts';

/** Environment variables as key/value rows; errors arrive as `envs.<row>` (or `envs`). */
export function EnvsEditor({
  rows,
  errors,
  onChange,
  disabled,
}: {
  rows: EnvRow[];
  errors: FieldErrors;
  onChange: (rows: EnvRow[]) => void;
  disabled?: boolean;
}) {
  const set = (i: number, patch: Partial<EnvRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Fieldset legend="Environment variables" disabled={disabled}>
      <Stack gap="xs">
        {rows.length === 0 && (
          <Text size="sm" c="dimmed">
            No variables.
          </Text>
        )}
        {rows.map((r, i) => (
          <Group key={r.rowId} gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              id={`field-envs.${i}`}
              aria-label={`Variable ${i + 1} name`}
              placeholder="NAME"
              value={r.key}
              error={errors[`envs.${i}`]}
              onChange={(e) => set(i, { key: e.currentTarget.value })}
              style={{ flex: 1 }}
              ff="monospace"
            />
            <TextInput
              aria-label={`Variable ${i + 1} value`}
              placeholder="value"
              value={r.value}
              onChange={(e) => set(i, { value: e.currentTarget.value })}
              style={{ flex: 2 }}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={`Remove variable ${r.key || i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              ✕
            </ActionIcon>
          </Group>
        ))}
        {errors.envs && (
          <Text size="sm" c="red.8" role="alert">
            {errors.envs}
          </Text>
        )}
        <Button
          variant="light"
          size="xs"
          w="fit-content"
          onClick={() => onChange([...rows, envRow()])}
        >
          Add variable
        </Button>
      </Stack>
    </Fieldset>
  );
}
