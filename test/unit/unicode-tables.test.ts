/**
 * The compact Unicode tables the Lambdas ship (shared/domain/*.generated.ts, written by
 * scripts/confusables.ts) hold exactly the data of the packages they come from, which are
 * devDependencies: `unhomoglyph` (confusables) and `unicode-case-folding` (full case folding).
 * A failure here after a package update means: run `npx tsx scripts/confusables.ts`.
 */
import { describe, expect, it } from 'vitest';
import confusables from 'unhomoglyph/data.json' with { type: 'json' };
import { caseFold as packageCaseFold, lookupFolding } from 'unicode-case-folding';
import { readNumbers, unzigzag, writeNumber, zigzag } from '../../shared/domain/compact-table.ts';
import {
  confusablePrototypes,
  decodeConfusables,
  encodeConfusables,
} from '../../shared/domain/confusables.ts';
import { caseFold, decodeCaseFolding, encodeCaseFolding } from '../../shared/domain/case-fold.ts';
import { CONFUSABLES } from '../../shared/domain/confusables.generated.ts';
import { CASE_FOLDING } from '../../shared/domain/case-folding.generated.ts';

const MAX_CODE_POINT = 0x10ffff;

describe('compact table numbers (shared/domain/compact-table.ts)', () => {
  it('read back what was written, at every digit-count boundary', () => {
    // Prepare
    const numbers = [0, 1, 59, 60, 61, 1859, 1860, 55_859, 55_860, 0x10ffff, 2 ** 40];
    // Act
    const text = numbers.map(writeNumber).join('');
    // Assess
    expect(readNumbers(text)).toEqual(numbers);
    expect(writeNumber(59)).toHaveLength(1);
    expect(writeNumber(1859)).toHaveLength(2);
    expect(writeNumber(55_859)).toHaveLength(3);
    expect(text).toMatch(/^[!-~]*$/);
    expect(text).not.toMatch(/['"`\\]/);
  });

  it('zigzag maps signed deltas onto non-negative numbers and back', () => {
    for (const n of [0, 1, -1, 2, -2, 1000, -1000]) expect(unzigzag(zigzag(n))).toBe(n);
    expect([0, -1, 1, -2, 2].map(zigzag)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses text that is no list of numbers', () => {
    expect(() => readNumbers("'")).toThrow(/not a table digit/);
    expect(() => readNumbers('~')).toThrow(/ends inside a number/);
  });
});

describe('confusables table (shared/domain/confusables.ts)', () => {
  const expected = new Map(Object.entries(confusables as Record<string, string>));

  it("decodes to exactly unhomoglyph's data.json", () => {
    // Act
    const decoded = confusablePrototypes();
    // Assess: same keys, same prototypes, nothing more.
    expect(decoded.size).toBe(expected.size);
    expect(new Map(decoded)).toEqual(expected);
  });

  it('is the encoding scripts/confusables.ts writes for the current data (not stale)', () => {
    expect(encodeConfusables(expected)).toBe(CONFUSABLES);
  });

  it('round-trips a table with every kind of record', () => {
    // Prepare: NFKD-derived (𝐀 → A's prototype), explicit runs, long and empty prototypes.
    const table = new Map([
      ['A', 'Α'],
      ['𝐀', 'Α'],
      ['a', 'x'],
      ['b', 'y'],
      ['c', 'z'],
      ['€', 'ABCDEFGHIJ'],
      ['\u{1f600}', ''],
    ]);
    // Act / Assess
    expect(decodeConfusables(encodeConfusables(table))).toEqual(table);
  });
});

describe('case folding (shared/domain/case-fold.ts)', () => {
  it('folds every code point as unicode-case-folding does', () => {
    // Act / Assess: one string per code point, the surrogate range included (kept as is).
    const differences: string[] = [];
    for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
      const ch = String.fromCodePoint(cp);
      if (caseFold(ch) !== packageCaseFold(ch)) differences.push(cp.toString(16));
    }
    expect(differences).toEqual([]);
  });

  it('decodes to exactly the mapping the package looks up', () => {
    // Prepare
    const expected = new Map<number, string>();
    for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
      const folded = lookupFolding(cp);
      if (folded) expected.set(cp, String.fromCodePoint(...folded));
    }
    // Act
    const decoded = decodeCaseFolding(CASE_FOLDING);
    // Assess
    expect(decoded).toEqual(expected);
  });

  it('folds whole strings, lone surrogates included', () => {
    const text = 'Straße ẞ İstanbul ᏣᎳᎩ ǅ \ud800x ΣΑΣ ﬁ';
    expect(caseFold(text)).toBe(packageCaseFold(text));
    expect(caseFold('STRASSE')).toBe(caseFold('straße'));
  });

  it('is the encoding scripts/confusables.ts writes for the current data (not stale)', () => {
    const folding = new Map<number, number[]>();
    for (let cp = 0; cp <= MAX_CODE_POINT; cp++) {
      const folded = lookupFolding(cp);
      if (folded) folding.set(cp, folded);
    }
    expect(encodeCaseFolding(folding)).toBe(CASE_FOLDING);
  });
});
