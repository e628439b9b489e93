/**
 * The key of the meta-table item that makes instance names unique (the name claim): the name's
 * look-alike skeleton. Only code that writes or looks up names by their claim reaches this
 * module, and the confusables table it needs is decoded on its first call, not at load.
 */
import { createHash } from 'node:crypto';
import { confusablePrototypes } from '../domain/confusables.ts';
import { nameKey } from '../domain/fields.ts';

/**
 * The TS #39 skeleton of the case-folded name (`nameKey`): NFD, default-ignorable code points
 * dropped, every character replaced by its confusables prototype, NFD again. Two names with the
 * same skeleton look alike (`paypal` with a Cyrillic `а`, `rn` and `m`, `l` and `1`). Not for
 * display: it mixes scripts and keeps no case.
 */
export function nameSkeleton(name: string): string {
  // The pattern stays in here: at module scope the bundler would keep building it in every
  // Lambda that reaches this module without calling it (the instance readers).
  const visible = nameKey(name)
    .normalize('NFD')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '');
  const prototypes = confusablePrototypes();
  let out = '';
  for (const ch of visible) out += prototypes.get(ch) ?? ch;
  return out.normalize('NFD');
}

/**
 * A partition key holds at most 2,048 bytes and NFKC alone can grow a name 18-fold (U+FDFA is 18
 * characters), so a long skeleton is claimed by its hash; equality is all a claim needs.
 */
const MAX_CLAIM_KEY_BYTES = 1024;

/**
 * The meta-table key of the uniqueness claim for `name`: its skeleton, so one transaction
 * decides between two look-alike names created at the same time.
 */
export function nameClaimKey(name: string): string {
  const skeleton = nameSkeleton(name);
  return Buffer.byteLength(skeleton) <= MAX_CLAIM_KEY_BYTES
    ? `NAME#${skeleton}`
    : `NAME#sha256:${createHash('sha256').update(skeleton).digest('hex')}`;
}

/** The claim key items written before `name_claim` existed hold (NFKC, then toLowerCase). */
export const legacyNameClaimKey = (name: string): string =>
  `NAME#${name.normalize('NFKC').toLowerCase()}`;
