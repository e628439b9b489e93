import { Code, SimpleGrid, Stack, Text } from '@mantine/core';
import type { Instance } from '../../../../../client/index.ts';
import { exactTime, relativeTime, showValue } from '../../../lib/format.ts';
import { PriorityBadge, StatusBadge } from './badges.tsx';

const FIELDS: [keyof Instance, string][] = [
  ['model_name', 'Model'],
  ['model_version', 'Model version'],
  ['cluster_name', 'Cluster'],
  ['image_tag', 'Image'],
  ['replicas', 'Replicas'],
  ['tp', 'TP'],
  ['pp', 'PP'],
  ['cp', 'CP'],
  ['workers', 'Workers'],
  ['task_concurrency', 'Task concurrency'],
  ['pipeline_mode', 'Pipeline mode'],
  ['cuda_graph', 'CUDA graph'],
  ['quantization', 'Quantization'],
  ['vae_store_type', 'VAE store'],
  ['t5_store_type', 'T5 store'],
];

/** Read-only facts of an instance as a description list. */
export function InstanceSummary({ instance: i }: { instance: Instance }) {
  const envs = Object.entries(i.envs);
  return (
    <Stack gap="sm">
      <Text size="sm">
        <StatusBadge status={i.status} /> <PriorityBadge priority={i.priority} /> · version{' '}
        {i.version} · updated{' '}
        <span title={exactTime(i.updated_at)}>{relativeTime(i.updated_at)}</span> by {i.updated_by}
      </Text>
      <SimpleGrid component="dl" cols={{ base: 1, xs: 2 }} spacing={4} verticalSpacing={4} m={0}>
        {FIELDS.map(([k, label]) => (
          <div key={k}>
            <Text component="dt" size="xs" c="dimmed">
              {label}
            </Text>
            <Text component="dd" size="sm" m={0}>
              {showValue(i[k])}
            </Text>
          </div>
        ))}
      </SimpleGrid>
      {i.description && <Text size="sm">{i.description}</Text>}
      <div>
        <Text size="xs" c="dimmed">
          Environment ({envs.length})
        </Text>
        {envs.length ? (
          <Code block>{envs.map(([k, v]) => `${k}=${v}`).join('\n')}</Code>
        ) : (
          <Text size="sm">—</Text>
        )}
      </div>
    </Stack>
  );
}
