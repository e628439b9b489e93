import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  CreateInstanceInput,
  Instance,
  InstanceList,
  UpdateInstanceInput,
} from '../../../../../client/index.ts';
import { useApi } from '../../../lib/api.tsx';
import { instanceKeys } from './keys.ts';

export function useCreateInstance() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (body: CreateInstanceInput) => api.createInstance(body),
    onSuccess: (inst) => {
      qc.setQueryData(instanceKeys.detail(inst.id), inst);
      void qc.invalidateQueries({ queryKey: instanceKeys.lists() });
      void qc.invalidateQueries({ queryKey: instanceKeys.stats() });
    },
  });
}

export interface UpdateVars {
  id: number;
  /** The version the edit started from: sent as If-Match. */
  version: number;
  patch: UpdateInstanceInput;
  /** Why (X-Change-Reason), kept on the history record. */
  reason?: string | undefined;
}

/** Optimistic: the detail and any list row show the patch at once; rolled back on error. */
export function useUpdateInstance() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: ({ id, version, patch, reason }: UpdateVars) =>
      api.patchInstance(id, patch, { ifMatch: version, ...(reason ? { reason } : {}) }),
    onMutate: async ({ id, patch }) => {
      await qc.cancelQueries({ queryKey: instanceKeys.detail(id) });
      const previous = qc.getQueryData<Instance>(instanceKeys.detail(id));
      if (previous) {
        qc.setQueryData<Instance>(instanceKeys.detail(id), applyPatch(previous, patch));
      }
      return { previous };
    },
    onError: (_err, { id }, ctx) => {
      // Roll back only our own optimistic state: a live event may have brought a newer version.
      const now = qc.getQueryData<Instance>(instanceKeys.detail(id));
      if (ctx?.previous && (!now || now.version <= ctx.previous.version)) {
        qc.setQueryData(instanceKeys.detail(id), ctx.previous);
      }
      void qc.invalidateQueries({ queryKey: instanceKeys.detail(id), exact: true });
    },
    onSuccess: (inst) => {
      qc.setQueryData(instanceKeys.detail(inst.id), inst);
      replaceInLists(qc, inst);
    },
  });
}

export function useDeleteInstance() {
  const api = useApi();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, version, reason }: { id: number; version: number; reason?: string }) =>
      api.deleteInstance(id, { ifMatch: version, ...(reason ? { reason } : {}) }),
    onSuccess: (_res, { id }) => {
      qc.removeQueries({ queryKey: instanceKeys.detail(id) });
      void qc.invalidateQueries({ queryKey: instanceKeys.lists() });
      void qc.invalidateQueries({ queryKey: instanceKeys.stats() });
    },
  });
}

/** The instance with a PATCH body applied (null clears an optional text field). */
export function applyPatch(inst: Instance, patch: UpdateInstanceInput): Instance {
  const next: Record<string, unknown> = { ...inst };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as Instance;
}

export function replaceInLists(qc: ReturnType<typeof useQueryClient>, inst: Instance): void {
  qc.setQueriesData<InstanceList>({ queryKey: instanceKeys.lists() }, (page) =>
    page?.items.some((i) => i.id === inst.id && i.version <= inst.version)
      ? { ...page, items: page.items.map((i) => (i.id === inst.id ? inst : i)) }
      : page,
  );
}
