/**
 * A history snapshot as the instance input a restore sets (POST) or previews (GET
 * /api/instances/{id}/restore/{history_id}). No I/O here.
 */
import { READ_ONLY_FIELDS } from './fields.ts';
import {
  MUTABLE_FIELDS,
  OPTIONAL_TEXT_FIELDS,
  createInstanceSchema,
  updateInstanceSchema,
  type CreateInstanceInput,
  type UpdateInstanceInput,
} from './instance.ts';
import { validationError } from './errors.ts';
import { issuesToDetails } from './validation.ts';

const mutableOf = (snapshot: Record<string, unknown>) =>
  Object.fromEntries(
    MUTABLE_FIELDS.filter((f) => snapshot[f] !== undefined).map((f) => [f, snapshot[f]]),
  );

function invalidSnapshot(issues: Parameters<typeof issuesToDetails>[0], input: unknown): never {
  throw validationError(
    'The history snapshot is not a valid instance under the current rules',
    issuesToDetails(issues, input, READ_ONLY_FIELDS),
  );
}

/**
 * The patch that sets a live instance to a snapshot: every mutable field the snapshot has,
 * and `null` (clear) for optional text fields it does not have.
 */
export function restorePatch(snapshot: Record<string, unknown>): UpdateInstanceInput {
  const input: Record<string, unknown> = mutableOf(snapshot);
  for (const f of OPTIONAL_TEXT_FIELDS) if (input[f] === undefined) input[f] = null;
  if (input.envs === undefined) input.envs = {};
  const parsed = updateInstanceSchema.safeParse(input);
  if (!parsed.success) invalidSnapshot(parsed.error.issues, input);
  return parsed.data;
}

/** The fields to re-create a deleted instance from a snapshot (defaults fill any gap). */
export function recreateInput(snapshot: Record<string, unknown>): CreateInstanceInput {
  const input = mutableOf(snapshot);
  const parsed = createInstanceSchema.safeParse(input);
  if (!parsed.success) invalidSnapshot(parsed.error.issues, input);
  return parsed.data;
}

/** What a restore sets an instance to (InstanceRepository.restore), built from a snapshot. */
export interface RestoreTarget {
  /** For a live instance: every mutable field, optional ones absent in the snapshot cleared. */
  readonly patch: UpdateInstanceInput;
  /** For a deleted instance: the fields to re-create it with (validated when called). */
  readonly recreate: () => CreateInstanceInput;
  /** The original creation stamp, kept when a deleted instance is re-created. */
  readonly created_at?: string | undefined;
  readonly created_by?: string | undefined;
}

/** Everything a restore needs from a snapshot (InstanceRepository.restore). */
export function restoreTarget(snapshot: Record<string, unknown>): RestoreTarget {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    patch: restorePatch(snapshot),
    recreate: () => recreateInput(snapshot),
    created_at: str(snapshot.created_at),
    created_by: str(snapshot.created_by),
  };
}
