import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csvField, csvRow, neutralizeFormula } from '../../shared/export/csv.ts';
import { columnName, escapeXml } from '../../shared/export/xlsx.ts';
import { parseCsv } from '../integration/history-support.ts';

describe('csvField', () => {
  it('leaves plain text and numbers as they are', () => {
    expect(csvField('llama-3')).toBe('llama-3');
    expect(csvField(42)).toBe('42');
    expect(csvField(true)).toBe('true');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('quotes fields holding a quote, comma, CR or LF and doubles quotes (RFC 4180)', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('a\rb')).toBe('"a\rb"');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'neutralises %j, which a spreadsheet would evaluate',
    (cell) => {
      // Prepare / Act
      const out = csvField(cell);
      // Assess: the value read back starts with a quote, so it is text, not a formula.
      expect(parseCsv(`${out}\r\n`)[0]![0]).toBe(`'${cell}`);
    },
  );

  it('neutralises before quoting: =HYPERLINK("x","y") stays one text cell', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
  });

  it('does not touch text that merely contains a formula character', () => {
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(neutralizeFormula('model-7b')).toBe('model-7b');
  });

  it('round-trips any row through an RFC 4180 reader (formula cells come back prefixed)', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (cells) => {
        const parsed = parseCsv(csvRow(cells));
        expect(parsed).toEqual([cells.map(neutralizeFormula)]);
      }),
    );
  });
});

describe('xlsx helpers', () => {
  it('names columns like a spreadsheet', () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
    ]);
  });

  it('escapes markup and encodes characters XML cannot carry', () => {
    expect(escapeXml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
    expect(escapeXml('a\u0001b')).toBe('a_x0001_b');
    expect(escapeXml('_x0041_')).toBe('_x005F_x0041_');
    expect(escapeXml('tab\tand\nnewline')).toBe('tab\tand\nnewline');
  });
});
