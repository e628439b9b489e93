/**
 * The number codec of the generated Unicode tables (confusables.ts, case-fold.ts): a list of
 * non-negative integers as printable ASCII, self-delimiting, so a table ships as one short
 * string literal. A JSON object of the same data costs several times more: the bundler writes
 * every non-ASCII character of it as a six-byte `\uXXXX` escape.
 *
 * Each number is zero or more continuation digits (bijective base 30, most significant first)
 * and one final digit (base 60): 0–59 take one character, up to 1,859 two, up to 55,859 three.
 * The alphabet is the printable ASCII without quotes, backquote and backslash, so the string
 * needs no escaping in any kind of literal.
 */
const DIGITS =
  '!#$%&()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~';
const FINAL = 60;
// DIGITS.length - FINAL, written out: a computed constant would keep DIGITS in every bundle
// that reaches this module without decoding anything.
const CONTINUATION = 30;

/** `n` as digits (table generation only). */
export function writeNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a table number: ${n}`);
  let out = DIGITS[n % FINAL]!;
  for (let rest = Math.floor(n / FINAL); rest > 0; rest = Math.floor(rest / CONTINUATION)) {
    rest--;
    out = DIGITS[FINAL + (rest % CONTINUATION)]! + out;
  }
  return out;
}

/** The numbers `text` holds, in order. */
export function readNumbers(text: string): number[] {
  const out: number[] = [];
  let high = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = DIGITS.indexOf(text[i]!);
    if (digit < 0) throw new Error(`not a table digit: ${JSON.stringify(text[i])} at ${i}`);
    if (digit >= FINAL) {
      high = high * CONTINUATION + (digit - FINAL) + 1;
    } else {
      out.push(high * FINAL + digit);
      high = 0;
    }
  }
  if (high !== 0) throw new Error('table text ends inside a number');
  return out;
}

/** Signed ↔ non-negative (0, -1, 1, -2, … ↔ 0, 1, 2, 3, …), for deltas. */
export const zigzag = (n: number): number => (n >= 0 ? 2 * n : -2 * n - 1);
export const unzigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);
