import { useEffect, useState } from 'react';
import { Button, Group, MultiSelect, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { OPERATION_TYPES } from '../../../../../shared/domain/change.ts';
import {
  HISTORY_FIELDS,
  dayRange,
  dayStart,
  idList,
  type HistoryField,
  type HistoryOperation,
  type HistorySearch,
  type HistorySearchAcross,
} from '../search.ts';

export const HISTORY_DEBOUNCE_MS = 300;

type Filters = HistorySearch & HistorySearchAcross;

/** A text field whose value reaches the URL debounced, and follows the URL back. */
function useDebouncedField(value: string, commit: (v: string) => void) {
  const [text, setText] = useState(value);
  const [debounced] = useDebouncedValue(text, HISTORY_DEBOUNCE_MS);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (debounced.trim() !== value) commit(debounced.trim());
    // Only the debounced text drives this effect.
  }, [debounced]);
  return [text, setText] as const;
}

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
  const [ids, setIds] = useDebouncedField(search.ids?.join(', ') ?? '', (v) =>
    onChange({ ids: idList(v), cursor: undefined }),
  );
  const any = search.q || search.op || search.from || search.to || search.fields || search.ids;
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
      <DayRange search={search} onChange={onChange} />
      {any && (
        <Button
          variant="subtle"
          onClick={() =>
            onChange({
              q: undefined,
              op: undefined,
              from: undefined,
              to: undefined,
              fields: undefined,
              ids: undefined,
              cursor: undefined,
            })
          }
        >
          Clear filters
        </Button>
      )}
    </Group>
  );
}

/** Two native date fields (keyboard and screen-reader friendly); both ends inclusive. */
function DayRange({
  search,
  onChange,
}: {
  search: Filters;
  onChange: (patch: Partial<Filters>) => void;
}) {
  const [from, setFrom] = useState(search.from ?? '');
  const [to, setTo] = useState(search.to ?? '');
  useEffect(() => setFrom(search.from ?? ''), [search.from]);
  useEffect(() => setTo(search.to ?? ''), [search.to]);
  const reversed = Boolean(from && to && from > to);
  const apply = (f: string, t: string) => {
    // An incomplete date reads as '' from the input: only whole days reach the URL.
    if ((f && !dayStart(f)) || (t && !dayStart(t)) || (f && t && f > t)) return;
    const next = dayRange(f, t);
    if (next.from !== search.from || next.to !== search.to)
      onChange({ from: next.from, to: next.to, cursor: undefined });
  };
  return (
    <Group gap="sm" align="flex-start" wrap="nowrap" w={{ base: '100%', sm: 'auto' }}>
      <TextInput
        type="date"
        label="From"
        value={from}
        max={to || undefined}
        onChange={(e) => {
          setFrom(e.currentTarget.value);
          apply(e.currentTarget.value, to);
        }}
        error={reversed ? 'Must not be after "To"' : undefined}
        style={{ flex: 1 }}
        miw={0}
        w={{ base: 'auto', sm: 160 }}
      />
      <TextInput
        type="date"
        label="To"
        value={to}
        min={from || undefined}
        onChange={(e) => {
          setTo(e.currentTarget.value);
          apply(from, e.currentTarget.value);
        }}
        style={{ flex: 1 }}
        miw={0}
        w={{ base: 'auto', sm: 160 }}
      />
    </Group>
  );
}
