import { useEffect, useState } from 'react';
import { Button, Collapse, Group, MultiSelect, Select, TextInput } from '@mantine/core';
import { DayRangeInputs } from '../../../components/day-range-inputs.tsx';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import {
  PRIORITIES,
  STATUSES,
  type Priority,
  type Status,
} from '../../../../../shared/domain/instance.ts';
import type { InstanceStats } from '../../../../../client/index.ts';
import { CLEARED_FILTERS, hasFilters, type InstancesSearch } from '../search.ts';

export const SEARCH_DEBOUNCE_MS = 300;

export function InstanceFilters({
  search,
  stats,
  searchInputId,
  onChange,
}: {
  search: InstancesSearch;
  stats: InstanceStats | undefined;
  searchInputId: string;
  onChange: (patch: Partial<InstancesSearch>) => void;
}) {
  const [text, setText] = useState(search.q ?? '');
  const [debounced] = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  // URL → input (back/forward, "clear filters").
  useEffect(() => setText(search.q ?? ''), [search.q]);
  // Input → URL, debounced.
  useEffect(() => {
    const q = debounced.trim() || undefined;
    if (q !== search.q) onChange({ q });
    // Only the debounced text drives this effect.
  }, [debounced]);
  // Small screens: the search stays, the other filters fold away behind a button.
  const narrow = useMediaQuery('(max-width: 48em)') ?? false;
  const [open, setOpen] = useState(false);
  const active = [
    search.status,
    search.priority,
    search.model,
    search.cluster,
    search.created_from || search.created_to,
  ].filter(Boolean).length;
  const models = Object.keys(stats?.by_model ?? {}).sort();
  const clusters = Object.keys(stats?.by_cluster ?? {}).sort();
  return (
    <Group gap="sm" align="flex-end" wrap="wrap" role="search" aria-label="Filter instances">
      <TextInput
        id={searchInputId}
        label="Search"
        placeholder="Name, model, cluster…  ( / )"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') (e.currentTarget as HTMLInputElement).blur();
        }}
        w={{ base: '100%', sm: 240 }}
        type="search"
      />
      {narrow && (
        <Button variant="default" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          Filters{active ? ` (${active})` : ''}
        </Button>
      )}
      <Collapse expanded={!narrow || open} w={{ base: '100%', sm: 'auto' }}>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <MultiSelect
            label="Status"
            placeholder={search.status?.length ? undefined : 'Any'}
            data={[...STATUSES]}
            value={search.status ?? []}
            onChange={(v) => onChange({ status: v.length ? (v as Status[]) : undefined })}
            clearable
            w={{ base: '100%', sm: 220 }}
          />
          <MultiSelect
            label="Priority"
            placeholder={search.priority?.length ? undefined : 'Any'}
            data={[...PRIORITIES]}
            value={search.priority ?? []}
            onChange={(v) => onChange({ priority: v.length ? (v as Priority[]) : undefined })}
            clearable
            w={{ base: '100%', sm: 200 }}
          />
          <Select
            label="Model"
            placeholder="Any"
            data={
              search.model && !models.includes(search.model) ? [search.model, ...models] : models
            }
            value={search.model ?? null}
            onChange={(v) => onChange({ model: v ?? undefined })}
            searchable
            clearable
            w={{ base: '100%', sm: 240 }}
          />
          <Select
            label="Cluster"
            placeholder="Any"
            data={
              search.cluster && !clusters.includes(search.cluster)
                ? [search.cluster, ...clusters]
                : clusters
            }
            value={search.cluster ?? null}
            onChange={(v) => onChange({ cluster: v ?? undefined })}
            searchable
            clearable
            w={{ base: '100%', sm: 200 }}
          />
          <DayRangeInputs
            labels={{ from: 'Created from', to: 'Created to' }}
            from={search.created_from}
            to={search.created_to}
            onApply={(r) => onChange({ created_from: r.from, created_to: r.to })}
          />
        </Group>
      </Collapse>
      {hasFilters(search) && (
        <Button variant="subtle" onClick={() => onChange(CLEARED_FILTERS)}>
          Clear filters
        </Button>
      )}
    </Group>
  );
}
