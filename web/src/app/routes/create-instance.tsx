import { useState } from 'react';
import { Button, Group, Stack, Title } from '@mantine/core';
import { useNavigate } from '@tanstack/react-router';
import { ApiError } from '../../../../client/index.ts';
import { notifyError, notifySuccess } from '../../lib/errors.ts';
import { focusNextPageHeading } from '../../lib/focus.ts';
import { useCreateInstance } from '../../features/instances/api/mutations.ts';
import {
  emptyValues,
  serverFieldErrors,
  validateCreate,
  type FieldErrors,
} from '../../features/instances/form.ts';
import {
  InstanceForm,
  focusFirstError,
} from '../../features/instances/components/instance-form.tsx';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard.tsx';
import { hasUnsavedChanges } from '../../features/instances/merge.ts';

export function CreateInstancePage() {
  const navigate = useNavigate();
  const [values, setValues] = useState(emptyValues);
  const [untouched] = useState(values);
  const dirty = hasUnsavedChanges(values, untouched);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useCreateInstance();

  const submit = () => {
    const checked = validateCreate(values);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstError(checked.errors);
      return;
    }
    setErrors({});
    create.mutate(checked.body, {
      onSuccess: (inst) => {
        notifySuccess(`Created ${inst.name}`);
        // The form that had the focus goes away: the new instance's heading takes it.
        focusNextPageHeading();
        // Saved: the form's values are the new instance's, nothing to lose.
        void navigate({ to: '/instances/$id', params: { id: inst.id }, ignoreBlocker: true });
      },
      onError: (err) => {
        if (err instanceof ApiError && (err.status === 422 || err.status === 409)) {
          const e = serverFieldErrors(err, values.envs);
          setErrors(e);
          focusFirstError(e);
        } else notifyError(err, 'Create failed');
      },
    });
  };

  return (
    <Stack maw={960}>
      <UnsavedChangesGuard when={dirty} />
      <AnchorLink to="/" size="sm">
        ← Instances
      </AnchorLink>
      <Title order={1} size="h2">
        New instance
      </Title>
      <InstanceForm
        values={values}
        errors={errors}
        onChange={setValues}
        onSubmit={submit}
        disabled={create.isPending}
        autoFocus
        actions={
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create instance
            </Button>
            <ButtonLink variant="default" to="/">
              Cancel
            </ButtonLink>
          </Group>
        }
      />
    </Stack>
  );
}
