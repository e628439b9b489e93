/**
 * Spreadsheet formula neutralisation in every export that writes cells: the HTTP history export
 * (csv, xlsx) and the S3 export operation (csv), which share the cell writer in
 * shared/export/csv.ts. Leading whitespace, NFKC compatibility forms and `|` (DDE) included.
 */
import { describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { csvField, looksLikeFormula } from '../../shared/export/csv.ts';
import { EXPORT_COLUMNS, buildHistoryExport } from '../../shared/export/history-export.ts';
import { render } from '../../shared/ops/export-file.ts';
import type { HistoryRecord } from '../../shared/domain/history.ts';
import { parseCsv, readXlsx } from '../integration/history-support.ts';

/** Text a spreadsheet could run, each with the gap it used to slip through. */
const FORMULAS = [
  ' =1+1', // leading space
  '\u00a0=1+1', // no-break space
  '\u3000=1+1', // ideographic space
  '\u200b=1+1', // zero-width space (format character)
  '\ufeff=1+1', // byte order mark
  '\n=1+1', // leading line feed
  '＝1+1', // fullwidth equals (NFKC → =)
  '﹦1+1', // small equals (NFKC → =)
  '＋1', // fullwidth plus
  '－1', // fullwidth hyphen-minus
  '＠SUM(A1)', // fullwidth at
  '|calc', // DDE
  '｜calc', // fullwidth vertical line (NFKC → |)
  '  \t=HYPERLINK("http://x","y")',
];
/** Text that only contains such characters, or looks like them without being them. */
const PLAIN = [
  'alice',
  'a|b',
  'a=b',
  ' alice',
  '１２３',
  'x-1',
  '',
  'ｌｌａｍａ',
  '−1' /* U+2212 */,
];

const rec = (i: number, extra: Partial<HistoryRecord> = {}): HistoryRecord => ({
  history_id: i,
  instance_id: 9,
  original_id: 9,
  version: i,
  operation_type: 'update',
  operation_timestamp: '2026-01-01T00:00:00.000Z',
  actor: 'alice',
  changed_fields: ['description'],
  changes: { description: { old: null, new: `d${i}` } },
  snapshot: { id: 9, name: 'n', description: `d${i}` },
  batch_id: 'b',
  ...extra,
});

async function* onePage(records: HistoryRecord[]) {
  yield records;
}

const actorColumn = EXPORT_COLUMNS.indexOf('actor');

describe('csvField neutralisation', () => {
  it.each(FORMULAS)('prefixes %j with a quote and keeps the text', (cell) => {
    // Act
    const [[read]] = parseCsv(csvField(cell) + '\r\n') as [[string]];
    // Assess
    expect(read).toBe(`'${cell}`);
  });

  it.each(PLAIN)('leaves %j as it is', (cell) => {
    expect(looksLikeFormula(cell)).toBe(false);
    expect(csvField(cell)).toBe(cell);
  });
});

describe('HTTP history export (GET /api/instances/{id}/history/export)', () => {
  it('csv: an actor of each kind comes out neutralised', async () => {
    // Prepare
    const records = FORMULAS.map((actor, i) => rec(i + 1, { actor }));
    // Act
    const out = await buildHistoryExport(9, 'csv', onePage(records));
    // Assess
    const rows = parseCsv(out.body as string).slice(1);
    expect(rows.map((r) => r[actorColumn])).toEqual(FORMULAS.map((a) => `'${a}`));
  });

  it('csv: every text cell is covered, not only actor', async () => {
    // Prepare: formula-like values in every free-text column of a record
    const record = rec(1, {
      actor: '＝1',
      batch_id: ' +1',
      operation_id: '|calc',
      changed_fields: ['@x'],
    });
    // Act
    const out = await buildHistoryExport(9, 'csv', onePage([record]));
    // Assess: no cell read back by a spreadsheet starts (after trimming) with an operator
    const [, row] = parseCsv(out.body as string);
    for (const cell of row!) expect(cell.startsWith("'") || !looksLikeFormula(cell)).toBe(true);
    expect(row![EXPORT_COLUMNS.indexOf('batch_id')]).toBe("' +1");
    expect(row![EXPORT_COLUMNS.indexOf('operation_id')]).toBe("'|calc");
    expect(row![EXPORT_COLUMNS.indexOf('changed_fields')]).toBe("'@x");
  });

  it('xlsx: formula-like cells get the quotePrefix style, their text unchanged', async () => {
    // Prepare
    const records = [rec(1, { actor: ' =1+1' }), rec(2, { actor: '|calc' }), rec(3)];
    // Act
    const out = await buildHistoryExport(9, 'xlsx', onePage(records));
    // Assess: the text is the actor's, with no quote added (the style does the job)
    const bytes = out.body as Buffer;
    const { rows } = readXlsx(bytes);
    expect(rows.slice(1).map((r) => r[actorColumn])).toEqual([' =1+1', '|calc', 'alice']);
    const parts = unzipSync(bytes);
    const sheet = strFromU8(parts['xl/worksheets/sheet1.xml']!);
    const styleOf = (ref: string) => new RegExp(`<c r="${ref}"( s="(\\d)")?`).exec(sheet)?.[2];
    const col = String.fromCharCode(65 + actorColumn);
    expect([styleOf(`${col}2`), styleOf(`${col}3`), styleOf(`${col}4`)]).toEqual([
      '2',
      '2',
      undefined,
    ]);
    const xfs = [...strFromU8(parts['xl/styles.xml']!).matchAll(/<cellXfs[^>]*>(.*?)<\/cellXfs>/g)]
      .flatMap((m) => m[1]!.match(/<xf [^>]*\/>/g) ?? [])
      .map((xf) => xf.includes('quotePrefix="1"'));
    expect(xfs).toEqual([false, false, true, true]);
  });
});

describe('S3 export operation (shared/ops/export-file.ts)', () => {
  it.each(FORMULAS)('csv record: actor %j comes out neutralised', (actor) => {
    // Act
    const line = render.record('csv', rec(1, { actor }), true);
    // Assess
    expect(parseCsv(line)[0]![actorColumn]).toBe(`'${actor}`);
  });
});
