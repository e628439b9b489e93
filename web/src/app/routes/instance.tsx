import { useEffect, useState } from 'react';
import { Alert, Button, Group, Modal, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useNavigate, getRouteApi } from '@tanstack/react-router';
import {
  ApiError,
  NotFoundError,
  PreconditionFailedError,
  type Instance,
} from '../../../../client/index.ts';
import { useApi } from '../../lib/api.tsx';
import { describeError, notifyError, notifySuccess } from '../../lib/errors.ts';
import { exactTime, relativeTime } from '../../lib/format.ts';
import { focusNextPageHeading, usePageHeadingFocus } from '../../lib/focus.ts';
import { instanceQuery } from '../../features/instances/api/queries.ts';
import { useDeleteInstance, useUpdateInstance } from '../../features/instances/api/mutations.ts';
import {
  serverFieldErrors,
  validateUpdate,
  valuesOf,
  type FieldErrors,
  type FormValues,
} from '../../features/instances/form.ts';
import { hasUnsavedChanges } from '../../features/instances/merge.ts';
import {
  InstanceForm,
  focusFirstError,
} from '../../features/instances/components/instance-form.tsx';
import { ConflictResolver } from '../../features/instances/components/conflict-resolver.tsx';
import { PriorityBadge, StatusBadge } from '../../features/instances/components/badges.tsx';
import { ReasonInput } from '../../components/reason-input.tsx';
import { AnchorLink, ButtonLink } from '../../components/links.tsx';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard.tsx';

/** Typed by path (not imported from the router, which imports this page). */
const instanceRoute = getRouteApi('/instances/$id');

export function InstancePage() {
  const { id } = instanceRoute.useParams();
  const api = useApi();
  const q = useQuery({ ...instanceQuery(api, id), enabled: Number.isInteger(id) });
  if (!Number.isInteger(id) || q.error instanceof NotFoundError) {
    return (
      <Stack>
        <Title order={1} size="h2">
          Instance not found
        </Title>
        <Text>It may have been deleted.</Text>
        <Group>
          <AnchorLink to="/">Back to the instances</AnchorLink>
          {Number.isInteger(id) && (
            <AnchorLink to="/instances/$id/history" params={{ id }}>
              Its history (restore it from there)
            </AnchorLink>
          )}
        </Group>
      </Stack>
    );
  }
  if (q.isError) {
    return (
      <Alert color="red" title="Could not load the instance" role="alert">
        {describeError(q.error).message}
      </Alert>
    );
  }
  if (!q.data) {
    return (
      <Stack role="status" aria-busy="true" aria-label="Loading instance">
        <Skeleton height={32} width="40%" />
        <Skeleton height={200} />
        <Skeleton height={200} />
      </Stack>
    );
  }
  return <EditInstance key={q.data.id} current={q.data} />;
}

function EditInstance({ current }: { current: Instance }) {
  const navigate = useNavigate();
  const api = useApi();
  const update = useUpdateInstance();
  const del = useDeleteInstance();
  /** The version the edit started from (sent as If-Match). */
  const [base, setBase] = useState(current);
  const [values, setValues] = useState<FormValues>(() => valuesOf(current));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [conflict, setConflict] = useState<Instance | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [reason, setReason] = useState('');
  const dirty = hasUnsavedChanges(values, valuesOf(base));
  const heading = usePageHeadingFocus();

  // A live change while the form is untouched: follow it.
  useEffect(() => {
    if (current.version > base.version && !dirty && !update.isPending) {
      setBase(current);
      setValues(valuesOf(current));
    }
  }, [current, base.version, dirty, update.isPending]);

  const save = (from: Instance, vals: FormValues) => {
    const checked = validateUpdate(from, vals);
    if (!checked.ok) {
      setErrors(checked.errors);
      focusFirstError(checked.errors);
      return;
    }
    setErrors({});
    if (Object.keys(checked.body).length === 0) {
      notifySuccess('Nothing to save');
      setConflict(null);
      return;
    }
    update.mutate(
      { id: from.id, version: from.version, patch: checked.body, reason: reason.trim() },
      {
        onSuccess: (inst) => {
          setConflict(null);
          setReason('');
          setBase(inst);
          setValues(valuesOf(inst));
          notifySuccess(`Saved ${inst.name} (version ${inst.version})`);
        },
        onError: async (err) => {
          if (err instanceof PreconditionFailedError) {
            try {
              setConflict(await api.getInstance(from.id));
            } catch (e) {
              notifyError(e, 'Could not load the current version');
            }
          } else if (err instanceof ApiError && (err.status === 422 || err.status === 409)) {
            const e = serverFieldErrors(err, vals.envs);
            setErrors(e);
            focusFirstError(e);
          } else notifyError(err, 'Save failed');
        },
      },
    );
  };

  const remove = () =>
    del.mutate(
      { id: base.id, version: current.version, reason: reason.trim() },
      {
        onSuccess: () => {
          notifySuccess(`Deleted ${base.name}`);
          // The dialog and the page go away: the list's heading takes the focus.
          focusNextPageHeading();
          // The instance is gone: nothing left to save.
          void navigate({ to: '/', ignoreBlocker: true });
        },
      },
    );

  const changedElsewhere = current.version > base.version && dirty && !conflict;
  return (
    <Stack maw={1100}>
      <UnsavedChangesGuard when={dirty} />
      <AnchorLink to="/" size="sm">
        ← Instances
      </AnchorLink>
      <Group justify="space-between" wrap="wrap">
        <Stack gap={4}>
          <Title order={1} size="h2" ref={heading} tabIndex={-1}>
            {current.name}
          </Title>
          {/* A div: the badges are divs, which a paragraph may not hold. */}
          <Text component="div" size="sm" c="dimmed">
            <StatusBadge status={current.status} /> <PriorityBadge priority={current.priority} /> ·
            id {current.id} · version {current.version} · updated{' '}
            <span title={exactTime(current.updated_at)}>{relativeTime(current.updated_at)}</span> by{' '}
            {current.updated_by} · created {exactTime(current.created_at)} by {current.created_by}
          </Text>
        </Stack>
        <Group gap="xs">
          <ButtonLink variant="light" to="/instances/$id/history" params={{ id: current.id }}>
            History
          </ButtonLink>
          <Button color="red" variant="light" onClick={() => setConfirmDelete(true)}>
            Delete…
          </Button>
        </Group>
      </Group>
      {changedElsewhere && (
        <Alert color="yellow" title="Changed while you were editing" role="status">
          {current.updated_by} saved version {current.version}. Saving will show both sets of
          changes side by side.
        </Alert>
      )}
      {conflict ? (
        <ConflictResolver
          key={conflict.version}
          base={base}
          current={conflict}
          mine={values}
          saving={update.isPending}
          onResolve={(merged) => {
            setBase(conflict);
            setValues(merged);
            save(conflict, merged);
          }}
          onDiscard={() => {
            setConflict(null);
            setBase(conflict);
            setValues(valuesOf(conflict));
          }}
        />
      ) : (
        <InstanceForm
          values={values}
          errors={errors}
          onChange={setValues}
          onSubmit={() => save(base, values)}
          disabled={update.isPending}
          actions={
            <Stack gap="sm">
              <ReasonInput value={reason} onChange={setReason} disabled={update.isPending} />
              <Group>
                <Button type="submit" loading={update.isPending} disabled={!dirty}>
                  Save changes
                </Button>
                <Button
                  variant="default"
                  disabled={!dirty}
                  onClick={() => {
                    setValues(valuesOf(current));
                    setBase(current);
                    setErrors({});
                  }}
                >
                  Reset
                </Button>
              </Group>
            </Stack>
          }
        />
      )}
      <Modal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete "${current.name}"?`}
      >
        <Stack>
          <Text>
            The instance <b>{current.name}</b> (id {current.id}) will be deleted. Its history stays,
            and it can be restored from there.
          </Text>
          <ReasonInput value={reason} onChange={setReason} disabled={del.isPending} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
            <Button color="red" className="button-wraps" loading={del.isPending} onClick={remove}>
              Delete {current.name}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
