/** What a restore would change, before it is made (the rollback preview operators ask for). */
import * as z from 'zod/mini';
import { restorePathSchema } from '../domain/history-params.ts';
import { differenceSchema } from '../domain/diff.ts';
import { defineRoute } from './define.ts';

export const restorePreviewSchema = z.object({
  instance_id: z.number(),
  history_id: z.number(),
  /** The instance is deleted: the restore re-creates it under its id. */
  recreates: z.boolean(),
  /** The version the preview was computed against (send it as `If-Match` to restore exactly this). */
  current_version: z.nullable(z.number()),
  /** Field by field (`envs` key by key) from the current state to the restored one. */
  differences: z.array(differenceSchema),
});

export const previewRestore = defineRoute({
  method: 'GET',
  path: '/api/instances/{id}/restore/{history_id}',
  handler: 'http/preview-restore',
  scope: 'read',
  tables: { history: 'read', instances: 'read' },
  params: restorePathSchema,
  operationId: 'previewRestore',
  summary: 'Preview a restore',
  description:
    'What `POST` on the same path would change, without changing anything: the differences from the instance\'s current state to the record\'s snapshot, field by field and `envs` key by key (empty when the restore would only add a version). A deleted instance shows every field as added and `recreates: true`. Restore with `If-Match: "<current_version>"` to apply exactly what was previewed; for a deleted instance (`current_version` null), with `If-None-Match: *`.',
  tags: ['History'],
  responses: {
    200: {
      description: 'The differences a restore would make.',
      schema: restorePreviewSchema,
      example: {
        instance_id: 42,
        history_id: 1017,
        recreates: false,
        current_version: 7,
        differences: [
          { field: 'envs.HF_HUB_OFFLINE', value1: '1', value2: null, type: 'removed' },
          { field: 'replicas', value1: 4, value2: 2, type: 'modified' },
        ],
      },
    },
    404: 'No such history record for this instance.',
    422: 'The snapshot is not a valid instance under the current rules (each field named): it cannot be restored.',
  },
});
