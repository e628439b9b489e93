import { useEffect, useState } from 'react';
import { Group, TextInput } from '@mantine/core';
import { dayRange, dayStart } from '../lib/days.ts';

/**
 * Two native date fields (keyboard and screen-reader friendly, no date library) for a range of
 * whole days, both ends inclusive. A reversed range shows an error at the field and is not
 * applied; an incomplete date reads as '' from the input, so only whole days reach `onApply`.
 */
export function DayRangeInputs({
  labels,
  from: appliedFrom,
  to: appliedTo,
  onApply,
}: {
  labels: { from: string; to: string };
  from: string | undefined;
  to: string | undefined;
  onApply: (range: { from?: string; to?: string }) => void;
}) {
  const [from, setFrom] = useState(appliedFrom ?? '');
  const [to, setTo] = useState(appliedTo ?? '');
  useEffect(() => setFrom(appliedFrom ?? ''), [appliedFrom]);
  useEffect(() => setTo(appliedTo ?? ''), [appliedTo]);
  const reversed = Boolean(from && to && from > to);
  const apply = (f: string, t: string) => {
    if ((f && !dayStart(f)) || (t && !dayStart(t)) || (f && t && f > t)) return;
    const next = dayRange(f, t);
    if (next.from !== appliedFrom || next.to !== appliedTo) onApply(next);
  };
  const field = { style: { flex: 1 }, miw: 0, w: { base: 'auto', sm: 160 } } as const;
  return (
    <Group gap="sm" align="flex-start" wrap="nowrap" w={{ base: '100%', sm: 'auto' }}>
      <TextInput
        type="date"
        label={labels.from}
        value={from}
        max={to || undefined}
        onChange={(e) => {
          setFrom(e.currentTarget.value);
          apply(e.currentTarget.value, to);
        }}
        error={reversed ? `Must not be after "${labels.to}"` : undefined}
        {...field}
      />
      <TextInput
        type="date"
        label={labels.to}
        value={to}
        min={from || undefined}
        onChange={(e) => {
          setTo(e.currentTarget.value);
          apply(from, e.currentTarget.value);
        }}
        {...field}
      />
    </Group>
  );
}
