/**
 * The keys of the meta-table items that make instance names unique (the name claims): the name's
 * look-alike skeletons. Only code that writes or looks up names by their claim reaches this
 * module, and the confusables table it needs is decoded on its first call, not at load.
 */
import { createHash } from 'node:crypto';
import { confusablePrototypes } from '../domain/confusables.ts';
import { nameKey } from '../domain/fields.ts';

/**
 * The TS #39 skeleton of `text`: NFD, default-ignorable code points dropped, every character
 * replaced by its confusables prototype, NFD again. Not for display: it mixes scripts.
 */
function skeletonOf(text: string): string {
  // The pattern stays in here: at module scope the bundler would keep building it in every
  // Lambda that reaches this module without calling it (the instance readers).
  const visible = text.normalize('NFD').replace(/\p{Default_Ignorable_Code_Point}/gu, '');
  const prototypes = confusablePrototypes();
  let out = '';
  for (const ch of visible) out += prototypes.get(ch) ?? ch;
  return out.normalize('NFD');
}

/**
 * The skeleton of the case-folded name (`nameKey`): two names with the same one look alike
 * whatever their case (`paypal` with a Cyrillic `а`, `rn` and `m`, `l` and `1`).
 */
export function nameSkeleton(name: string): string {
  return skeletonOf(nameKey(name));
}

/**
 * A partition key holds at most 2,048 bytes and NFKC alone can grow a name 18-fold (U+FDFA is 18
 * characters), so a long skeleton is claimed by its hash; equality is all a claim needs.
 */
const MAX_CLAIM_KEY_BYTES = 1024;

const claimKeyOf = (skeleton: string): string =>
  Buffer.byteLength(skeleton) <= MAX_CLAIM_KEY_BYTES
    ? `NAME#${skeleton}`
    : `NAME#sha256:${createHash('sha256').update(skeleton).digest('hex')}`;

/**
 * The meta-table key of the uniqueness claim for `name` that lookups by name read: its folded
 * skeleton, so one transaction decides between two look-alike names created at the same time.
 */
export function nameClaimKey(name: string): string {
  return claimKeyOf(nameSkeleton(name));
}

/**
 * Every claim `name` holds: the folded skeleton's (`nameClaimKey`), then, where it differs, the
 * skeleton of the name as written. SPEC §3 refuses both names that fold alike and names whose
 * TS #39 skeletons are equal, and folding first loses some of the second: Cyrillic `Т` looks
 * like `T`, but its lower case `т` looks like `ᴛ`, not `t`, so `САТ` and `CAT` share only the
 * skeleton of the name as written (`CAT`). A name is taken when any of its claims is.
 */
export function nameClaimKeys(name: string): readonly string[] {
  const folded = nameClaimKey(name);
  const cased = claimKeyOf(skeletonOf(name.normalize('NFKC')));
  return cased === folded ? [folded] : [folded, cased];
}

/** The claim key items written before `name_claim` existed hold (NFKC, then toLowerCase). */
export const legacyNameClaimKey = (name: string): string =>
  `NAME#${name.normalize('NFKC').toLowerCase()}`;
