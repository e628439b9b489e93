/**
 * The instance form: its values, and their validation by the shared zod schemas
 * (shared/domain/instance.ts) with the server's own messages (issuesToDetails given the schema,
 * as parseBody does: "must be an integer from 1 to 100"), so the browser says what a 422 would
 * say, before sending. One wording differs on purpose: an empty required field says "required"
 * (the server's "required (empty after trim)" reads oddly under a field nobody typed in).
 */
import {
  DEFAULTS,
  OPTIONAL_TEXT_FIELDS,
  createInstanceSchema,
  sameValue,
  updateInstanceSchema,
} from '../../../../shared/domain/instance.ts';
import { issuesToDetails } from '../../../../shared/domain/validation.ts';
import type {
  ApiError,
  CreateInstanceInput,
  Instance,
  UpdateInstanceInput,
} from '../../../../client/index.ts';

export interface EnvRow {
  /** Stable React key of the row. */
  rowId: string;
  key: string;
  value: string;
}

export interface FormValues {
  name: string;
  model_name: string;
  model_version: string;
  cluster_name: string;
  image_tag: string;
  replicas: number | '';
  pp: number | '';
  cp: number | '';
  tp: number | '';
  workers: number | '';
  task_concurrency: number | '';
  pipeline_mode: boolean;
  cuda_graph: boolean;
  quantization: string;
  vae_store_type: string;
  t5_store_type: string;
  status: Instance['status'];
  priority: Instance['priority'];
  description: string;
  envs: EnvRow[];
}

export type FieldName = keyof FormValues;
/**
 * Messages by field (`envs.<row index>` for env rows, `_form` for the rest); `_requestId` is the
 * request id of the server's answer they came from.
 */
export type FieldErrors = Partial<Record<string, string>>;

export const NUMBER_FIELDS = ['replicas', 'pp', 'cp', 'tp', 'workers', 'task_concurrency'] as const;

let rowSeq = 0;
export const envRow = (key = '', value = ''): EnvRow => ({ rowId: `env-${++rowSeq}`, key, value });

export function emptyValues(): FormValues {
  return {
    name: '',
    model_name: '',
    model_version: DEFAULTS.model_version,
    cluster_name: '',
    image_tag: '',
    replicas: DEFAULTS.replicas,
    pp: DEFAULTS.pp,
    cp: DEFAULTS.cp,
    tp: DEFAULTS.tp,
    workers: DEFAULTS.workers,
    task_concurrency: DEFAULTS.task_concurrency,
    pipeline_mode: DEFAULTS.pipeline_mode,
    cuda_graph: DEFAULTS.cuda_graph,
    quantization: '',
    vae_store_type: '',
    t5_store_type: '',
    status: DEFAULTS.status,
    priority: DEFAULTS.priority,
    description: '',
    envs: [],
  };
}

export function valuesOf(i: Instance): FormValues {
  return {
    name: i.name,
    model_name: i.model_name,
    model_version: i.model_version,
    cluster_name: i.cluster_name,
    image_tag: i.image_tag,
    replicas: i.replicas,
    pp: i.pp,
    cp: i.cp,
    tp: i.tp,
    workers: i.workers,
    task_concurrency: i.task_concurrency,
    pipeline_mode: i.pipeline_mode,
    cuda_graph: i.cuda_graph,
    quantization: i.quantization ?? '',
    vae_store_type: i.vae_store_type ?? '',
    t5_store_type: i.t5_store_type ?? '',
    status: i.status,
    priority: i.priority,
    description: i.description ?? '',
    envs: Object.entries(i.envs).map(([k, v]) => envRow(k, v)),
  };
}

/** The body fields as the API sees them (envs as a record; '' number = not a number). */
function bodyOf(v: FormValues): Record<string, unknown> {
  const { envs, ...rest } = v;
  const out: Record<string, unknown> = { ...rest };
  for (const f of NUMBER_FIELDS) if (v[f] === '') out[f] = undefined;
  out.envs = Object.fromEntries(
    envs.filter((r) => r.key !== '' || r.value !== '').map((r) => [r.key, r.value]),
  );
  return out;
}

/** Rules a record cannot express: a key given twice. */
function envRowErrors(rows: EnvRow[]): FieldErrors {
  const errors: FieldErrors = {};
  const seen = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.key === '' && r.value !== '') errors[`envs.${i}`] = 'required';
    else if (r.key !== '' && seen.has(r.key)) errors[`envs.${i}`] = 'duplicate key';
    seen.set(r.key, i);
  });
  return errors;
}

/** Server details (`envs.KEY`, `name`, …) → form fields (`envs.<row>`). */
export function detailsToFieldErrors(
  details: Record<string, unknown>,
  rows: EnvRow[],
  fallback?: string,
): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, msg] of Object.entries(details)) {
    const text = typeof msg === 'string' && !fallback ? msg : (fallback ?? String(msg));
    const [head, ...rest] = path.split('.');
    if (head === 'envs' && rest.length) {
      const key = rest.join('.');
      const row = rows.findIndex((r) => r.key === key);
      out[row >= 0 ? `envs.${row}` : 'envs'] = text;
    } else out[head ?? '_form'] = text;
  }
  return out;
}

/**
 * The server's messages for the values of `body`, as a form shows them: a required text field
 * left empty is "required", one holding only spaces says that spaces alone do not count.
 */
function formDetails(
  issues: Parameters<typeof issuesToDetails>[0],
  body: Record<string, unknown>,
  schema: Parameters<typeof issuesToDetails>[3],
): Record<string, string> {
  const details = issuesToDetails(issues, body, [], schema) as Record<string, string>;
  for (const [path, msg] of Object.entries(details)) {
    if (msg !== EMPTY_AFTER_TRIM) continue;
    const sent = body[path];
    details[path] =
      typeof sent === 'string' && sent !== '' ? 'required (spaces alone do not count)' : 'required';
  }
  return details;
}
const EMPTY_AFTER_TRIM = 'required (empty after trim)';

export type Validated<T> = { ok: true; body: T } | { ok: false; errors: FieldErrors };

export function validateCreate(v: FormValues): Validated<CreateInstanceInput> {
  const body = bodyOf(v);
  for (const f of OPTIONAL_TEXT_FIELDS) if (body[f] === '') delete body[f];
  const rowErrors = envRowErrors(v.envs);
  const parsed = createInstanceSchema.safeParse(body);
  if (parsed.success && Object.keys(rowErrors).length === 0) {
    return { ok: true, body: body as CreateInstanceInput };
  }
  const details = parsed.success
    ? {}
    : formDetails(parsed.error.issues, body, createInstanceSchema);
  return { ok: false, errors: { ...detailsToFieldErrors(details, v.envs), ...rowErrors } };
}

/**
 * The PATCH body: only fields that differ from `base` (the version the edit started from);
 * a cleared optional text field is sent as null.
 */
export function diffPatch(base: Instance, v: FormValues): Record<string, unknown> {
  const body = bodyOf(v);
  const baseBody = bodyOf(valuesOf(base));
  const patch: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(body)) {
    if (sameValue(val, baseBody[k])) continue;
    const optional = (OPTIONAL_TEXT_FIELDS as readonly string[]).includes(k);
    patch[k] = optional && typeof val === 'string' && val.trim() === '' ? null : val;
  }
  return patch;
}

export function validateUpdate(base: Instance, v: FormValues): Validated<UpdateInstanceInput> {
  const patch = diffPatch(base, v);
  const rowErrors = envRowErrors(v.envs);
  // Every number field is checked even when unchanged-but-empty ('' is not a number).
  for (const f of NUMBER_FIELDS) if (v[f] === '') patch[f] = undefined;
  const parsed = updateInstanceSchema.safeParse(patch);
  const emptyNumbers = Object.fromEntries(
    NUMBER_FIELDS.filter((f) => v[f] === '').map((f) => [f, 'required']),
  );
  for (const f of NUMBER_FIELDS) if (patch[f] === undefined) delete patch[f];
  if (parsed.success && !Object.keys(rowErrors).length && !Object.keys(emptyNumbers).length) {
    return { ok: true, body: patch as UpdateInstanceInput };
  }
  const details = parsed.success
    ? {}
    : formDetails(parsed.error.issues, patch, updateInstanceSchema);
  return {
    ok: false,
    errors: { ...detailsToFieldErrors(details, v.envs), ...emptyNumbers, ...rowErrors },
  };
}

/**
 * A rejected save → messages at the fields the server named (422 details, 409 name), and its
 * request id as `_requestId` (the form shows it, so a report can be traced like any error).
 */
export function serverFieldErrors(err: ApiError, rows: EnvRow[]): FieldErrors {
  const fieldErrors = fieldErrorsOf(err, rows);
  return err.requestId ? { ...fieldErrors, _requestId: err.requestId } : fieldErrors;
}

function fieldErrorsOf(err: ApiError, rows: EnvRow[]): FieldErrors {
  if (!err.details) return { _form: err.message };
  const fieldErrors =
    err.status === 422
      ? detailsToFieldErrors(err.details, rows)
      : detailsToFieldErrors(
          Object.fromEntries(
            Object.keys(err.details)
              .filter((k) => k !== 'id')
              .map((k) => [k, k]),
          ),
          rows,
          err.message,
        );
  return Object.keys(fieldErrors).length ? fieldErrors : { _form: err.message };
}
