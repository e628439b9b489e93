import { useCallback } from 'react';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useBlocker } from '@tanstack/react-router';

/**
 * Asks before leaving a form with unsaved changes, however the navigation starts: a link, a
 * one-key shortcut (`n`, `/`), Back. Closing or reloading the tab gets the browser's own
 * prompt. A navigation that follows a save (the form is then clean, or it passes
 * `ignoreBlocker`) is never asked about.
 */
export function UnsavedChangesGuard({ when }: { when: boolean }) {
  const shouldBlockFn = useCallback(() => when, [when]);
  const blocker = useBlocker({
    shouldBlockFn,
    enableBeforeUnload: when,
    disabled: !when,
    withResolver: true,
  });
  const blocked = blocker.status === 'blocked';
  return (
    <Modal
      opened={blocked}
      onClose={() => blocker.reset?.()}
      title="Discard unsaved changes?"
      closeOnClickOutside={false}
    >
      <Stack>
        <Text size="sm">This form has changes that are not saved. Leaving discards them.</Text>
        <Group justify="flex-end">
          <Button variant="default" data-autofocus onClick={() => blocker.reset?.()}>
            Keep editing
          </Button>
          <Button color="red" onClick={() => blocker.proceed?.()}>
            Discard changes
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
