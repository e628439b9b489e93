import type { FormEvent, ReactNode } from 'react';
import {
  ActionIcon,
  Alert,
  Code,
  CopyButton,
  Fieldset,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Tooltip,
} from '@mantine/core';
import { PRIORITIES, STATUSES } from '../../../../../shared/domain/instance.ts';
import type { FieldErrors, FormValues } from '../form.ts';
import { EnvsEditor } from './envs-editor.tsx';

type NumberField = 'replicas' | 'pp' | 'cp' | 'tp' | 'workers' | 'task_concurrency';
const NUMBERS: [NumberField, string, number, number][] = [
  ['replicas', 'Replicas', 1, 100],
  ['tp', 'Tensor parallelism (tp)', 1, 16],
  ['pp', 'Pipeline parallelism (pp)', 1, 16],
  ['cp', 'Context parallelism (cp)', 1, 64],
  ['workers', 'Workers', 1, 1024],
  ['task_concurrency', 'Task concurrency', 1, 1024],
];

/** Moves focus to the first field with an error, so keyboard and screen-reader users land on it. */
export function focusFirstError(errors: FieldErrors): void {
  const first = Object.keys(errors).find((k) => !k.startsWith('_'));
  requestAnimationFrame(() => {
    const el =
      (first && document.getElementById(`field-${first}`)) || document.getElementById('form-error');
    el?.focus();
  });
}

export function InstanceForm({
  values,
  errors,
  onChange,
  onSubmit,
  disabled,
  actions,
  autoFocus,
}: {
  values: FormValues;
  errors: FieldErrors;
  onChange: (values: FormValues) => void;
  onSubmit: () => void;
  disabled?: boolean;
  actions: ReactNode;
  /** Focus the first field on mount (the create page). */
  autoFocus?: boolean;
}) {
  const set = <K extends keyof FormValues>(k: K, v: FormValues[K]) =>
    onChange({ ...values, [k]: v });
  const text = (
    k:
      | 'name'
      | 'model_name'
      | 'model_version'
      | 'cluster_name'
      | 'image_tag'
      | 'quantization'
      | 'vae_store_type'
      | 't5_store_type',
    label: string,
    required = false,
  ) => (
    <TextInput
      autoFocus={autoFocus && k === 'name'}
      id={`field-${k}`}
      label={label}
      required={required}
      value={values[k]}
      error={errors[k]}
      onChange={(e) => set(k, e.currentTarget.value)}
    />
  );
  return (
    <form
      noValidate
      aria-label="Instance"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Stack gap="md">
        {errors._form && (
          <Alert id="form-error" tabIndex={-1} color="red" title="Not saved" role="alert">
            {errors._form}
          </Alert>
        )}
        <Fieldset legend="Identity" disabled={disabled}>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {text('name', 'Name', true)}
            {text('model_name', 'Model', true)}
            {text('model_version', 'Model version')}
            {text('cluster_name', 'Cluster', true)}
            {text('image_tag', 'Image tag', true)}
            <Select
              id="field-status"
              label="Status"
              data={[...STATUSES]}
              value={values.status}
              error={errors.status}
              allowDeselect={false}
              onChange={(v) => v && set('status', v as FormValues['status'])}
            />
            <Select
              id="field-priority"
              label="Priority"
              data={[...PRIORITIES]}
              value={values.priority}
              error={errors.priority}
              allowDeselect={false}
              onChange={(v) => v && set('priority', v as FormValues['priority'])}
            />
          </SimpleGrid>
        </Fieldset>
        <Fieldset legend="Scale and parallelism" disabled={disabled}>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            {NUMBERS.map(([k, label, min, max]) => (
              <NumberInput
                key={k}
                id={`field-${k}`}
                label={label}
                description={`${min}–${max}`}
                allowDecimal={false}
                allowNegative={false}
                value={values[k]}
                error={errors[k]}
                onChange={(v) => set(k, typeof v === 'number' ? v : v === '' ? '' : Number(v))}
              />
            ))}
          </SimpleGrid>
        </Fieldset>
        <Fieldset legend="Runtime" disabled={disabled}>
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              {text('quantization', 'Quantization')}
              {text('vae_store_type', 'VAE store type')}
              {text('t5_store_type', 'T5 store type')}
            </SimpleGrid>
            <Switch
              id="field-pipeline_mode"
              label="Pipeline mode"
              checked={values.pipeline_mode}
              error={errors.pipeline_mode}
              onChange={(e) => set('pipeline_mode', e.currentTarget.checked)}
            />
            <Switch
              id="field-cuda_graph"
              label="CUDA graph"
              checked={values.cuda_graph}
              error={errors.cuda_graph}
              onChange={(e) => set('cuda_graph', e.currentTarget.checked)}
            />
            <Textarea
              id="field-description"
              label="Description"
              autosize
              minRows={2}
              value={values.description}
              error={errors.description}
              onChange={(e) => set('description', e.currentTarget.value)}
            />
          </Stack>
        </Fieldset>
        <EnvsEditor
          rows={values.envs}
          errors={errors}
          onChange={(rows) => set('envs', rows)}
          disabled={disabled}
        />
        {actions}
        {errors._requestId && <RequestId id={errors._requestId} />}
      </Stack>
    </form>
  );
}

/** The request id of the answer the errors above came from: read out or copied into a report. */
function RequestId({ id }: { id: string }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="xs" c="dimmed">
        Request id <Code>{id}</Code>
      </Text>
      <CopyButton value={id}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'Copy the request id'}>
            <ActionIcon
              size="sm"
              variant="subtle"
              aria-label={copied ? 'Request id copied' : 'Copy request id'}
              onClick={copy}
            >
              {copied ? '✓' : '⧉'}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}
