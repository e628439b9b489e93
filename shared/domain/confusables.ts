/**
 * Unicode TS #39 confusables (source character → prototype), as packaged by `unhomoglyph`,
 * shipped as the compact text of confusables.generated.ts (written by scripts/confusables.ts)
 * and decoded into a Map on first use: only name writers and the by-name lookup need it.
 *
 * Most of the table follows from Unicode normalisation: the prototype of `𝐀` or `①` is the
 * prototype of each character of its NFKD (or, for a few, NFKC) form. Those sources are stored
 * as ranges of code points without their prototype, the rest with it explicitly. Decompositions
 * of assigned characters never change (Unicode's normalisation stability policy), so the
 * derivation gives the same table on every Node.js version; test/unit/unicode-tables.test.ts
 * checks it against the package's data.
 *
 * The text is a list of numbers (compact-table.ts). Records follow in ascending source order,
 * each starting with `gap · 8 + kind`, where `gap` is the distance from the previous record's
 * last source minus one (the first record's is its source):
 * - kind 0 / 1: `count - 1`; `count` consecutive sources derived through NFKD / NFKC;
 * - kind 2: `count - 1`, zigzag(`step`), the first prototype code point; `count` consecutive
 *   sources whose prototypes are single code points `step` apart (`𝟎`–`𝟗` → `O`, `l`, `2`…);
 * - kind 3: the prototype's length, then its code points; kind 4 + n: a prototype of n < 4 code
 *   points, then those.
 * Prototype code points are written as zigzag deltas from the previous one written.
 */
import { readNumbers, unzigzag, writeNumber, zigzag } from './compact-table.ts';
import { CONFUSABLES } from './confusables.generated.ts';

const DERIVED_FORMS = ['NFKD', 'NFKC'] as const;
const EXPLICIT_RUN = 2;
const EXPLICIT = 3;
/** Prototypes of up to this many code points have their length in the record's kind. */
const SHORT = 4;
const KINDS = EXPLICIT + 1 + SHORT;

/** Each character of `text` replaced by its prototype. */
const prototypeOf = (table: ReadonlyMap<string, string>, text: string): string => {
  let out = '';
  for (const ch of text) out += table.get(ch) ?? ch;
  return out;
};

/** The compact text of `table` (scripts/confusables.ts). */
export function encodeConfusables(table: ReadonlyMap<string, string>): string {
  const sources = [...table.keys()]
    .map((ch) => {
      const cp = ch.codePointAt(0)!;
      if (String.fromCodePoint(cp) !== ch) throw new Error(`source is not one code point: ${ch}`);
      return cp;
    })
    .sort((a, b) => a - b);
  const kindOf = (cp: number): number => {
    const ch = String.fromCodePoint(cp);
    const found = DERIVED_FORMS.findIndex((form) => {
      const normal = ch.normalize(form);
      return normal !== ch && prototypeOf(table, normal) === table.get(ch);
    });
    return found < 0 ? EXPLICIT : found;
  };
  /** The prototype's code point when it is a single one. */
  const single = (cp: number): number | undefined => {
    const target = table.get(String.fromCodePoint(cp));
    const first = target?.codePointAt(0);
    return first !== undefined && String.fromCodePoint(first) === target ? first : undefined;
  };
  /** Whether explicit source `cp` continues a run from `start` to `first` by `step`. */
  const continues = (cp: number, start: number, first: number, step: number) =>
    kindOf(cp) === EXPLICIT && single(cp) === first + (cp - start) * step;
  const numbers: number[] = [];
  let last = -1;
  let previousTarget = 0;
  const header = (start: number, kind: number) => numbers.push((start - last - 1) * KINDS + kind);
  for (let i = 0; i < sources.length;) {
    const start = sources[i]!;
    const kind = kindOf(start);
    let end = i + 1;
    if (kind !== EXPLICIT) {
      while (
        end < sources.length &&
        sources[end] === sources[end - 1]! + 1 &&
        kindOf(sources[end]!) === kind
      )
        end++;
      header(start, kind);
      numbers.push(end - i - 1);
    } else {
      const first = single(start);
      const second = sources[end] === start + 1 ? single(start + 1) : undefined;
      const step = first !== undefined && second !== undefined ? second - first : 0;
      if (first !== undefined && second !== undefined)
        while (sources[end] === start + (end - i) && continues(sources[end]!, start, first, step))
          end++;
      if (end - i > 1) {
        header(start, EXPLICIT_RUN);
        numbers.push(end - i - 1, zigzag(step), zigzag(first! - previousTarget));
        previousTarget = first! + (end - i - 1) * step;
      } else {
        const target = [...table.get(String.fromCodePoint(start))!].map((c) => c.codePointAt(0)!);
        if (target.length < SHORT) {
          header(start, EXPLICIT + 1 + target.length);
        } else {
          header(start, EXPLICIT);
          numbers.push(target.length);
        }
        for (const cp of target) {
          numbers.push(zigzag(cp - previousTarget));
          previousTarget = cp;
        }
      }
    }
    last = sources[end - 1]!;
    i = end;
  }
  return numbers.map(writeNumber).join('');
}

/** The table `text` encodes. */
export function decodeConfusables(text: string): Map<string, string> {
  const numbers = readNumbers(text);
  const table = new Map<string, string>();
  const derived: { source: string; form: (typeof DERIVED_FORMS)[number] }[] = [];
  let last = -1;
  let previousTarget = 0;
  for (let i = 0; i < numbers.length;) {
    const header = numbers[i++]!;
    const kind = header % KINDS;
    const start = last + 1 + (header - kind) / KINDS;
    if (kind >= EXPLICIT) {
      const length = kind === EXPLICIT ? numbers[i++]! : kind - EXPLICIT - 1;
      let target = '';
      for (let k = 0; k < length; k++) {
        previousTarget += unzigzag(numbers[i++]!);
        target += String.fromCodePoint(previousTarget);
      }
      table.set(String.fromCodePoint(start), target);
      last = start;
      continue;
    }
    const count = numbers[i++]! + 1;
    if (kind === EXPLICIT_RUN) {
      const step = unzigzag(numbers[i++]!);
      previousTarget += unzigzag(numbers[i++]!);
      for (let k = 0; k < count; k++)
        table.set(String.fromCodePoint(start + k), String.fromCodePoint(previousTarget + k * step));
      previousTarget += (count - 1) * step;
    } else {
      for (let cp = start; cp < start + count; cp++)
        derived.push({ source: String.fromCodePoint(cp), form: DERIVED_FORMS[kind]! });
    }
    last = start + count - 1;
  }
  // NFKD output is fully decomposed, so it only refers to explicit entries; NFKC output may
  // also refer to NFKD-derived ones, hence the order.
  for (const form of DERIVED_FORMS)
    for (const d of derived)
      if (d.form === form) table.set(d.source, prototypeOf(table, d.source.normalize(form)));
  return table;
}

let decoded: Map<string, string> | undefined;

/** The confusables table, decoded on the first call (a few milliseconds). */
export function confusablePrototypes(): ReadonlyMap<string, string> {
  decoded ??= decodeConfusables(CONFUSABLES);
  return decoded;
}
