/**
 * What a text field may contain. Every text field refuses C0/C1 control characters and unpaired
 * surrogates: they are invisible, break terminals, logs and CSV, and a lone surrogate cannot even
 * be encoded as UTF-8 (DynamoDB and every client would have to mangle it). `multiline` fields
 * (description, envs values) keep tab and line feed. `identifier` fields (name, model, cluster,
 * image tag, model version) also refuse what renders as nothing or reorders what is around it:
 * format characters (Cf: zero-width space/joiners, soft hyphen, bidi overrides such as U+202E),
 * other default-ignorable code points (e.g. the Hangul filler U+3164), variation selectors, tag
 * characters and line/paragraph separators, so two names that look the same are the same text.
 */
export type TextKind = 'identifier' | 'line' | 'multiline';

const LONE_SURROGATE = /\p{Cs}/u; // with the `u` flag only an unpaired surrogate matches
const CONTROL = /\p{Cc}/u;
const MULTILINE_CONTROL = /[\t\n]/;
const INVISIBLE =
  /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\p{Zl}\p{Zp}\u{E0000}-\u{E007F}]/u;

const codePoint = (ch: string) =>
  `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `s` is not acceptable text of this kind (naming the first offending character), if it is not. */
export function textProblem(s: string, kind: TextKind): string | undefined {
  for (const ch of s) {
    if (LONE_SURROGATE.test(ch))
      return `must not contain unpaired surrogates (found ${codePoint(ch)})`;
    if (CONTROL.test(ch) && !(kind === 'multiline' && MULTILINE_CONTROL.test(ch)))
      return `must not contain control characters (found ${codePoint(ch)})`;
    if (kind === 'identifier' && INVISIBLE.test(ch))
      return `must not contain invisible, formatting or bidirectional control characters (found ${codePoint(ch)})`;
  }
  return undefined;
}

/** A token subject is recorded as `actor` in history and exports, and shown in the console. */
export const MAX_ACTOR_LENGTH = 256;

/**
 * Why a token subject cannot be recorded as an actor, if it cannot: the issuer's word is taken
 * for who it is, not for what history, CSV and terminals can show (an identifier's rules).
 */
export function actorProblem(sub: string): string | undefined {
  if ([...sub].length > MAX_ACTOR_LENGTH) return `must be at most ${MAX_ACTOR_LENGTH} characters`;
  return textProblem(sub, 'identifier');
}
