/**
 * Copies an instance under a new name. Without a name the candidates `<name>-copy`,
 * `<name>-copy-2`, … are tried in order; each attempt is a create whose name claim is part of
 * its transaction, so two concurrent copies can never get the same name: the loser of a race
 * moves on to the next candidate.
 */
import { conflict } from '../domain/errors.ts';
import {
  copyBody,
  copyName,
  MAX_COPY_NAME_ATTEMPTS,
  type CopyInstanceInput,
} from '../domain/copy.ts';
import type { Instance } from '../domain/instance.ts';
import type { ChangeMeta } from './items.ts';
import { isNameTakenError } from './instance-writer.ts';
import type { InstanceRepository } from './instances.ts';

export async function copyInstance(
  repo: InstanceRepository,
  sourceId: number,
  input: CopyInstanceInput,
  meta: ChangeMeta,
): Promise<Instance> {
  const source = await repo.getOrThrow(sourceId);
  const withCopy = { ...meta, copiedFrom: source.id };
  if (input.name !== undefined)
    return repo.create(copyBody(source, input.overrides, input.name), withCopy);
  for (let n = 1; n <= MAX_COPY_NAME_ATTEMPTS; n++) {
    try {
      return await repo.create(
        copyBody(source, input.overrides, copyName(source.name, n)),
        withCopy,
      );
    } catch (err) {
      if (!isNameTakenError(err)) throw err;
    }
  }
  throw conflict(
    `No free copy name: ${copyName(source.name, 1)} … ${copyName(source.name, MAX_COPY_NAME_ATTEMPTS)} are all taken; send a name`,
    { name: copyName(source.name, MAX_COPY_NAME_ATTEMPTS) },
  );
}
