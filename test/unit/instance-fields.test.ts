/**
 * The zod-free field facts (shared/domain/fields.ts) and the schemas built on them agree: the
 * bundles of handlers that validate no instance rely on the lists, the API on the schemas.
 */
import { describe, expect, it } from 'vitest';
import {
  BOOKKEEPING_FIELDS,
  INSTANCE_FIELDS,
  MUTABLE_FIELD_NAMES,
  READ_ONLY_FIELDS,
} from '../../shared/domain/fields.ts';
import {
  MUTABLE_FIELDS,
  OPTIONAL_TEXT_FIELDS,
  createInstanceSchema,
  instanceSchema,
  updateInstanceSchema,
} from '../../shared/domain/instance.ts';

describe('instance field lists', () => {
  it('name the response fields in the schema order', () => {
    expect([...INSTANCE_FIELDS]).toEqual(Object.keys(instanceSchema.def.shape));
  });

  it('name the mutable fields in the order of the request rules', () => {
    expect([...MUTABLE_FIELD_NAMES]).toEqual(MUTABLE_FIELDS);
    expect(Object.keys(createInstanceSchema.def.shape)).toEqual(MUTABLE_FIELDS);
  });

  it('make the id and the bookkeeping read-only', () => {
    expect([...READ_ONLY_FIELDS]).toEqual(['id', ...BOOKKEEPING_FIELDS]);
    expect(INSTANCE_FIELDS.slice(-BOOKKEEPING_FIELDS.length)).toEqual([...BOOKKEEPING_FIELDS]);
  });

  it('treat the optional fields alike in the response and the requests', () => {
    const shape = instanceSchema.def.shape as Record<string, { def: { type: string } }>;
    const optionalInResponse = MUTABLE_FIELD_NAMES.filter((f) => shape[f]!.def.type === 'optional');
    expect(optionalInResponse).toEqual([...OPTIONAL_TEXT_FIELDS]);
    const update = updateInstanceSchema.def.shape as Record<
      string,
      { def: { innerType: { def: { type: string } } } }
    >;
    const clearable = MUTABLE_FIELD_NAMES.filter(
      (f) => update[f]!.def.innerType.def.type === 'nullable',
    );
    expect(clearable).toEqual([...OPTIONAL_TEXT_FIELDS]);
  });
});
