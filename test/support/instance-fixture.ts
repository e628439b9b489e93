/** A complete instance as the API returns it, for tests that need one without a stack. */
import type { Instance } from '../../client/index.ts';
import { DEFAULTS } from '../../shared/domain/instance.ts';

export const anInstance = (over: Partial<Instance> = {}): Instance => ({
  id: 1,
  name: 'a',
  model_name: 'm',
  cluster_name: 'c',
  image_tag: 't',
  ...DEFAULTS,
  envs: {},
  version: 1,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  created_by: 'a',
  updated_by: 'a',
  ...over,
});
