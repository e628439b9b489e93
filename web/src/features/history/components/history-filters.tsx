import { useEffect, useState } from 'react';
import { Button, Group, MultiSelect, TextInput } from '@mantine/core';
import { DayRangeInputs } from '../../../components/day-range-inputs.tsx';
import { useDebouncedValue } from '@mantine/hooks';
import { OPERATION_TYPES } from '../../../../../shared/domain/change.ts';
import {
  HISTORY_FIELDS,
  parseIdInput,
  type HistoryField,
  type HistoryOperation,
  type HistorySearch,
  type HistorySearchAcross,
} from '../search.ts';

export const HISTORY_DEBOUNCE_MS = 300;

type Filters = HistorySearch & HistorySearchAcross;

/**
 * A text field whose value reaches the URL debounced, and follows the URL back. A value `check`
 * rejects stays in the field (with its message) and never reaches the URL.
 */
function useDebouncedField(
  value: string,
  commit: (v: string) => void,
  check: (v: string) => string | undefined = () => undefined,
) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, HISTORY_DEBOUNCE_MS);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (debounced.trim() !== value && !check(debounced)) commit(debounced.trim());
    // Only the debounced text drives this effect.
  }, [debounced]);
  return [text, setText, check(text)] as const;
}

const idsError = (v: string) => {
  const parsed = parseIdInput(v);
  return 'error' in parsed ? parsed.error : undefined;
};

/**
 * Filters of the history views: text, operation types, a day range, and the changed fields
 * (one instance's timeline) or the instances searched (across instances). Every change goes to
 * the URL through `onChange`.
 */
export function HistoryFilters({
  search,
  onChange,
  label,
  show,
}: {
  search: Filters;
  onChange: (patch: Partial<Filters>) => void;
  /** The accessible name of the filter group. */
  label: string;
  show: 'fields' | 'ids';
}) {
  const [text, setText] = useDebouncedField(search.q ?? '', (q) =>
    onChange({ q: q || undefined, cursor: undefined }),
  );
  const [ids, setIds, idsInvalid] = useDebouncedField(
    search.ids?.join(', ') ?? '',
    (v) => {
      const parsed = parseIdInput(v);
      if ('ids' in parsed) onChange({ ids: parsed.ids, cursor: undefined });
    },
    idsError,
  );
  // Typed text counts too: an id list that is not valid, or a search still in its debounce,
  // has not reached the URL, and "Clear filters" empties it as well.
  const any =
    search.q || search.op || search.from || search.to || search.fields || search.ids || text || ids;
  const clear = () => {
    setText('');
    setIds('');
    onChange({
      q: undefined,
      op: undefined,
      from: undefined,
      to: undefined,
      fields: undefined,
      ids: undefined,
      cursor: undefined,
    });
  };
  return (
    <Group gap="sm" align="flex-end" wrap="wrap" role="search" aria-label={label}>
      <TextInput
        label="Search"
        placeholder="Field, value, actor, reason…"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        type="search"
        w={{ base: '100%', sm: 240 }}
      />
      {show === 'ids' && (
        <TextInput
          label="Instance ids"
          placeholder="All instances"
          value={ids}
          onChange={(e) => setIds(e.currentTarget.value)}
          error={idsInvalid}
          inputMode="numeric"
          w={{ base: '100%', sm: 180 }}
        />
      )}
      <MultiSelect
        label="Operations"
        placeholder={search.op ? undefined : 'All'}
        data={[...OPERATION_TYPES]}
        value={search.op ?? []}
        onChange={(v) =>
          onChange({ op: v.length ? (v as HistoryOperation[]) : undefined, cursor: undefined })
        }
        clearable
        w={{ base: '100%', sm: 260 }}
      />
      {show === 'fields' && (
        <MultiSelect
          label="Changed fields"
          placeholder={search.fields ? undefined : 'Any'}
          data={[...HISTORY_FIELDS]}
          value={search.fields ?? []}
          onChange={(v) => onChange({ fields: v.length ? (v as HistoryField[]) : undefined })}
          searchable
          clearable
          w={{ base: '100%', sm: 260 }}
        />
      )}
      <DayRangeInputs
        labels={{ from: 'From', to: 'To' }}
        from={search.from}
        to={search.to}
        onApply={(r) => onChange({ from: r.from, to: r.to, cursor: undefined })}
      />
      {any && (
        <Button variant="subtle" onClick={clear}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
