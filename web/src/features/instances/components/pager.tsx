import { Button, Group, Select, Text } from '@mantine/core';
import { formatNumber } from '../../../lib/format.ts';
import { PAGE_SIZES } from '../search.ts';

/**
 * "1–50 of 1,234" when the total is known, "1–50 of many" when more pages follow. `offset` is
 * how many matches the pages before this one showed: `(page - 1) * limit` unless we paged here
 * through short pages (a text search answers fewer rows, even none, when it stops after the
 * keys one request examines).
 */
export function rangeLabel(
  page: number,
  limit: number,
  shown: number,
  total: number | undefined,
  more: boolean,
  offset = (page - 1) * limit,
) {
  if (shown === 0) return total ? `0 of ${formatNumber(total)}` : 'No results';
  const from = offset + 1;
  const to = from + shown - 1;
  const of =
    total !== undefined ? formatNumber(Math.max(total, to)) : more ? 'many' : formatNumber(to);
  return `${formatNumber(from)}–${formatNumber(to)} of ${of}`;
}

export function Pager({
  page,
  limit,
  shown,
  offset,
  total,
  hasNext,
  onPrev,
  onNext,
  onLimit,
}: {
  page: number;
  limit: number;
  shown: number;
  /** Matches on the pages before this one, when known (see `rangeLabel`). */
  offset?: number | undefined;
  total: number | undefined;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  onLimit: (limit: number) => void;
}) {
  return (
    <Group justify="space-between" wrap="wrap" gap="sm">
      <Text size="sm" aria-live="polite">
        {rangeLabel(page, limit, shown, total, hasNext, offset)}
      </Text>
      <Group gap="xs">
        <Select
          aria-label="Rows per page"
          data={PAGE_SIZES.map(String)}
          value={String(limit)}
          onChange={(v) => v && onLimit(Number(v))}
          w={90}
          allowDeselect={false}
        />
        <Button variant="default" onClick={onPrev} disabled={page <= 1}>
          Previous
        </Button>
        <Button variant="default" onClick={onNext} disabled={!hasNext}>
          Next
        </Button>
      </Group>
    </Group>
  );
}
