// @vitest-environment jsdom
import './support/jsdom.ts';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MantineProvider } from '@mantine/core';
import { anInstance } from '../support/instance-fixture.ts';
import {
  COLUMNS_STORAGE_KEY,
  parseHiddenColumns,
  serializeHiddenColumns,
  useColumns,
} from '../../web/src/features/instances/columns.ts';
import { ColumnChooser } from '../../web/src/features/instances/components/column-chooser.tsx';
import {
  InstanceCards,
  InstancesTable,
} from '../../web/src/features/instances/components/instances-table.tsx';
import { withLeaving } from '../../web/src/features/instances/live/leaving.ts';
import type { FlashKind } from '../../web/src/lib/flash.ts';

// Links need a router; a plain anchor stands in (the table only passes to/params/children).
vi.mock('../../web/src/components/links.tsx', () => ({
  AnchorLink: ({ children, params }: { children: ReactNode; params: { id: number } }) => (
    <a href={`/instances/${params.id}`}>{children}</a>
  ),
  InstanceAnchor: ({ children, id }: { children: ReactNode; id: number }) => (
    <a href={`/instances/${id}`}>{children}</a>
  ),
}));

const wrap = (ui: ReactNode) => render(<MantineProvider env="test">{ui}</MantineProvider>);

function Chooser() {
  const [visible, setVisible] = useColumns();
  return (
    <>
      <ColumnChooser visible={visible} onChange={setVisible} />
      <output aria-label="visible">{visible.join(',')}</output>
    </>
  );
}

const visibleNow = () => screen.getByRole('status', { name: 'visible' }).textContent;

describe('column chooser', () => {
  beforeEach(() => localStorage.clear());

  it('stores hidden columns only, and reads anything odd as "all columns"', () => {
    expect(serializeHiddenColumns(['updated', 'model'])).toBe('["model","updated"]');
    expect(parseHiddenColumns('["model","bogus"]')).toEqual(['model']);
    expect(parseHiddenColumns('{not json')).toEqual([]);
    expect(parseHiddenColumns('"model"')).toEqual([]);
    expect(parseHiddenColumns(null)).toEqual([]);
  });

  it('is a labelled checkbox group, keyboard operable, remembered in localStorage', async () => {
    const user = userEvent.setup();
    const first = wrap(<Chooser />);
    expect(visibleNow()).toContain('replicas');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Columns' }));
    await user.keyboard('{Enter}');
    const group = await screen.findByRole('group', { name: 'Show columns' });
    const replicas = within(group).getByRole('checkbox', { name: 'Replicas' });
    expect(replicas).toHaveProperty('checked', true);
    replicas.focus();
    await user.keyboard(' ');
    expect(replicas).toHaveProperty('checked', false);
    expect(visibleNow()).not.toContain('replicas');
    expect(JSON.parse(localStorage.getItem(COLUMNS_STORAGE_KEY)!)).toEqual(['replicas']);
    expect(screen.getByRole('button', { name: 'Columns (1 hidden)' })).toBeTruthy();
    first.unmount();

    // A new page load in this browser starts with the choice (read before the first paint).
    wrap(<Chooser />);
    expect(visibleNow()).toBe('status,priority,model,cluster,parallelism,created,updated');
    await user.click(screen.getByRole('button', { name: 'Columns (1 hidden)' }));
    await user.click(await screen.findByRole('button', { name: 'Show all' }));
    expect(visibleNow()).toContain('replicas');
    expect(JSON.parse(localStorage.getItem(COLUMNS_STORAGE_KEY)!)).toEqual([]);
  });

  it('the table and the cards show only the chosen columns', () => {
    const items = [anInstance({ id: 1, name: 'a', replicas: 7, cluster_name: 'gpu-x' })];
    const props = {
      items,
      loading: false,
      view: 'v',
      columns: ['status' as const, 'replicas' as const],
      selection: new Set<number>(),
      onSelect: () => undefined,
      flashes: new Map<number, FlashKind>(),
      onPreview: () => undefined,
    };
    const t = wrap(
      <InstancesTable {...props} sort={{ sort: 'name', order: 'asc' }} onSort={() => undefined} />,
    );
    const table = screen.getByRole('table', { name: 'Instances' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['', 'Name▲', 'Status↕', 'Replicas']);
    expect(within(table).queryByText('gpu-x')).toBeNull();
    t.unmount();
    wrap(<InstanceCards {...props} />);
    const card = within(screen.getByRole('list', { name: 'Instances' })).getByRole('listitem', {
      name: 'a',
    });
    expect(within(card).getByText('Replicas')).toBeTruthy();
    expect(within(card).getByText('7')).toBeTruthy();
    expect(within(card).queryByText('Cluster')).toBeNull();
    expect(within(card).getByRole('checkbox', { name: 'Select a' })).toBeTruthy();
    expect(within(card).getByRole('button', { name: 'Preview a' })).toBeTruthy();
  });
});

describe('live removals', () => {
  const a = anInstance({ id: 1, name: 'a' });
  const b = anInstance({ id: 2, name: 'b' });
  const c = anInstance({ id: 3, name: 'c' });
  const names = (rows: { instance: { name: string }; leaving: boolean }[]) =>
    rows.map((r) => `${r.instance.name}${r.leaving ? ' (leaving)' : ''}`);

  it('a deleted row stays in its place, marked leaving, while its highlight lasts', () => {
    let step = withLeaving(undefined, 'v', [a, b, c], new Map(), 0);
    expect(names(step.rows)).toEqual(['a', 'b', 'c']);
    // The cache drops b (apply-event) and the flash marks it deleted.
    const deleted = new Map<number, FlashKind>([[2, 'deleted']]);
    step = withLeaving(step.memory, 'v', [a, c], deleted, 100);
    expect(names(step.rows)).toEqual(['a', 'b (leaving)', 'c']);
    // The refetch fills the page from the next one; b still shows where it was.
    const d = anInstance({ id: 4, name: 'd' });
    step = withLeaving(step.memory, 'v', [a, c, d], deleted, 200);
    expect(names(step.rows)).toEqual(['a', 'b (leaving)', 'c', 'd']);
    // The highlight ends: b leaves.
    step = withLeaving(step.memory, 'v', [a, c, d], new Map(), 2600);
    expect(names(step.rows)).toEqual(['a', 'c', 'd']);
  });

  it('also when the cache update renders before the deleted mark', () => {
    let step = withLeaving(undefined, 'v', [a, b, c], new Map(), 0);
    step = withLeaving(step.memory, 'v', [a, c], new Map(), 10);
    expect(names(step.rows)).toEqual(['a', 'c']);
    step = withLeaving(step.memory, 'v', [a, c], new Map([[2, 'deleted' as const]]), 20);
    expect(names(step.rows)).toEqual(['a', 'b (leaving)', 'c']);
  });

  it('nothing lingers into another view, and rows that only moved out are not "deleted"', () => {
    let step = withLeaving(undefined, 'page1', [a, b], new Map(), 0);
    step = withLeaving(step.memory, 'page2', [c], new Map([[2, 'deleted' as const]]), 10);
    expect(names(step.rows)).toEqual(['c']);
    step = withLeaving(undefined, 'v', [a, b], new Map(), 0);
    step = withLeaving(step.memory, 'v', [a], new Map([[2, 'updated' as const]]), 10);
    expect(names(step.rows)).toEqual(['a']);
  });

  it('a leaving row is struck through, not actionable, and named as deleted', () => {
    const deleted = new Map<number, FlashKind>([[2, 'deleted']]);
    const props = {
      loading: false,
      view: 'v',
      selection: new Set<number>([2]),
      onSelect: () => undefined,
      onPreview: () => undefined,
      sort: { sort: 'name' as const, order: 'asc' as const },
      onSort: () => undefined,
    };
    const t = wrap(<InstancesTable {...props} items={[a, b]} flashes={new Map()} />);
    t.rerender(
      <MantineProvider>
        <InstancesTable {...props} items={[a]} flashes={deleted} />
      </MantineProvider>,
    );
    const row = screen.getByRole('checkbox', { name: 'b (deleted)' }).closest('tr')!;
    expect(row.className).toContain('leaving-row');
    expect(row.getAttribute('aria-disabled')).toBe('true');
    expect(within(row).queryByRole('link')).toBeNull();
    expect(screen.getByRole('checkbox', { name: 'b (deleted)' })).toHaveProperty('disabled', true);
    // "Select all" counts only rows that are still there.
    expect(screen.getByRole('checkbox', { name: 'Select all on this page' })).toHaveProperty(
      'checked',
      false,
    );
  });
});
