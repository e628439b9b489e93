/**
 * Full Unicode case folding (CaseFolding.txt, statuses C and F), the table of the npm package
 * `unicode-case-folding` shipped as the compact text of case-folding.generated.ts (written by
 * scripts/confusables.ts) and decoded into a Map on first use. JavaScript has no case fold, and
 * toLowerCase is not one (`ß` stays, Cherokee goes the other way); the package's own module is
 * a 23 KB literal of the same map. test/unit/unicode-tables.test.ts checks every code point
 * against the package.
 *
 * Case pairs come in runs (`A`–`Z` → `a`–`z`; `Ā` → `ā`, `Ă` → `ă`, … every other code point),
 * so the text (a list of numbers, compact-table.ts) holds records in ascending source order,
 * each starting with `gap · 2 + kind`, where `gap` is the distance from the previous record's
 * last source minus one (the first record's is its source):
 * - kind 0: `count - 1`, `stride`, zigzag(`target - source`): sources `start + k · stride`
 *   for k < count, each folding to one code point at the same distance;
 * - kind 1: the folding's length, then each code point as zigzag(`code point - source`).
 */
import { readNumbers, unzigzag, writeNumber, zigzag } from './compact-table.ts';
import { CASE_FOLDING } from './case-folding.generated.ts';

const RUN = 0;
const MULTI = 1;

/** The compact text of `folding` (code point → folded code points; scripts/confusables.ts). */
export function encodeCaseFolding(folding: ReadonlyMap<number, readonly number[]>): string {
  const sources = [...folding.keys()].sort((a, b) => a - b);
  /** How far `cp` folds when it folds to one code point. */
  const distance = (cp: number | undefined): number | undefined => {
    const to = cp === undefined ? undefined : folding.get(cp);
    return to?.length === 1 ? to[0]! - cp! : undefined;
  };
  const numbers: number[] = [];
  let last = -1;
  for (let i = 0; i < sources.length;) {
    const start = sources[i]!;
    const delta = distance(start);
    if (delta === undefined) {
      const target = folding.get(start)!;
      numbers.push(
        (start - last - 1) * 2 + MULTI,
        target.length,
        ...target.map((cp) => zigzag(cp - start)),
      );
      last = start;
      i++;
      continue;
    }
    const next = sources[i + 1];
    const stride = next !== undefined && distance(next) === delta ? next - start : 1;
    let end = i + 1;
    while (
      end < sources.length &&
      sources[end] === sources[end - 1]! + stride &&
      distance(sources[end]) === delta
    )
      end++;
    numbers.push((start - last - 1) * 2 + RUN, end - i - 1, stride, zigzag(delta));
    last = sources[end - 1]!;
    i = end;
  }
  return numbers.map(writeNumber).join('');
}

/** The folding `text` encodes: code point → its folded text. */
export function decodeCaseFolding(text: string): Map<number, string> {
  const numbers = readNumbers(text);
  const folding = new Map<number, string>();
  let last = -1;
  for (let i = 0; i < numbers.length;) {
    const header = numbers[i++]!;
    const kind = header % 2;
    const start = last + 1 + (header - kind) / 2;
    if (kind === MULTI) {
      const length = numbers[i++]!;
      let target = '';
      for (let k = 0; k < length; k++)
        target += String.fromCodePoint(start + unzigzag(numbers[i++]!));
      folding.set(start, target);
      last = start;
    } else {
      const count = numbers[i++]! + 1;
      const stride = numbers[i++]!;
      const delta = unzigzag(numbers[i++]!);
      for (let k = 0; k < count; k++) {
        const cp = start + k * stride;
        folding.set(cp, String.fromCodePoint(cp + delta));
      }
      last = start + (count - 1) * stride;
    }
  }
  return folding;
}

let decoded: Map<number, string> | undefined;

/**
 * `input` with every code point replaced by its full case folding (`ẞ` → `ss`), as the package's
 * `caseFold` does; lone surrogates are kept.
 */
export function caseFold(input: string): string {
  decoded ??= decodeCaseFolding(CASE_FOLDING);
  let out = '';
  for (const ch of input) out += decoded.get(ch.codePointAt(0)!) ?? ch;
  return out;
}
