// @vitest-environment jsdom
import './support/jsdom.ts';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MantineProvider } from '@mantine/core';
import type { Instance } from '../../client/index.ts';
import { anInstance } from '../support/instance-fixture.ts';
import { DiffTable } from '../../web/src/components/diff-table.tsx';
import { diffSnapshots } from '../../web/src/features/history/diff.ts';
import { ConflictResolver } from '../../web/src/features/instances/components/conflict-resolver.tsx';
import { valuesOf } from '../../web/src/features/instances/form.ts';
import { rangeLabel } from '../../web/src/features/instances/components/pager.tsx';

const wrap = (ui: ReactNode) => render(<MantineProvider>{ui}</MantineProvider>);

const base: Instance = anInstance({
  name: 'llama-a',
  envs: { A: '1', B: '2' },
  version: 3,
  created_by: 'alice',
  updated_by: 'alice',
});

describe('DiffTable', () => {
  it('shows each changed field and each env key with old and new values', () => {
    const rows = diffSnapshots(base, {
      ...base,
      replicas: 4,
      envs: { A: '1', C: '3' },
      version: 4,
    });
    wrap(<DiffTable rows={rows} leftLabel="v3" rightLabel="v4" caption="Differences" />);
    const table = screen.getByRole('table', { name: 'Differences' });
    const header = (name: RegExp) => within(table).getByRole('rowheader', { name });
    expect(
      within(header(/^replicas/).closest('tr')!)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['1', '4']);
    expect(
      within(header(/^envs\.B/).closest('tr')!)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['2', '—']);
    expect(
      within(header(/^envs\.C/).closest('tr')!)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['—', '3']);
    expect(within(table).queryByRole('rowheader', { name: /^version/ })).toBeNull();
  });

  it('says so when nothing differs', () => {
    wrap(<DiffTable rows={[]} leftLabel="a" rightLabel="b" caption="Differences" />);
    expect(screen.getByText('No differences.')).toBeTruthy();
  });
});

describe('ConflictResolver', () => {
  it('shows who changed what, and saves the choice made per field', async () => {
    const current = { ...base, version: 4, replicas: 2, tp: 4, updated_by: 'bob' };
    const mine = { ...valuesOf(base), replicas: 3, description: 'mine' };
    const onResolve = vi.fn();
    wrap(
      <ConflictResolver
        base={base}
        current={current}
        mine={mine}
        saving={false}
        onResolve={onResolve}
        onDiscard={() => undefined}
      />,
    );
    expect(screen.getByText(/Version 4 was saved by/).textContent).toContain('bob');
    const table = screen.getByRole('table', { name: 'Three-way comparison' });
    expect(
      within(table)
        .getAllByRole('rowheader')
        .map((h) => h.textContent?.trim()),
    ).toEqual(['replicas conflict', 'tp', 'description']);
    const replicas = screen.getByRole('radiogroup', { name: 'Keep for replicas' });
    await userEvent.click(within(replicas).getByRole('radio', { name: 'Current' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save merged version' }));
    const merged = onResolve.mock.calls[0]![0];
    expect(merged).toMatchObject({ replicas: 2, tp: 4, description: 'mine' });
  });
});

describe('range label', () => {
  it('reads like "1–50 of 1,234"', () => {
    expect(rangeLabel(1, 50, 50, 1234, true)).toBe('1–50 of 1,234');
    expect(rangeLabel(3, 50, 20, undefined, false)).toBe('101–120 of 120');
    expect(rangeLabel(2, 50, 50, undefined, true)).toBe('51–100 of many');
  });

  it('counts what earlier short pages showed (a text search stops after 5,000 instances)', () => {
    // Page 1 came back empty with a cursor, page 2 found one match.
    expect(rangeLabel(2, 50, 1, undefined, false, 0)).toBe('1–1 of 1');
    expect(rangeLabel(3, 50, 10, undefined, true, 12)).toBe('13–22 of many');
    expect(rangeLabel(2, 50, 0, undefined, true, 0)).toBe('No results');
  });
});
