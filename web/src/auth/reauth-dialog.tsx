import { useState } from 'react';
import { Alert, Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { authSession } from './session.ts';
import { useAuth } from './use-auth.ts';

/**
 * Asks the user to sign in again after a 401 that a refresh could not fix. It opens over the
 * page: nothing underneath unmounts, so every form keeps what was typed, and the requests that
 * failed are sent again once the user is back (web/src/auth/reauth-fetch.ts).
 */
export function ReauthDialog() {
  const { prompt, error } = useAuth();
  const session = authSession();
  const [token, setTokenValue] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      opened={prompt !== undefined}
      onClose={() => session.cancel()}
      title="Sign in again"
      closeOnClickOutside={false}
    >
      <Stack>
        <Text size="sm">
          Your session has expired. What you typed stays on the page: sign in again and the console
          sends what was waiting.
        </Text>
        {error && (
          <Alert color="red" title="Sign-in failed" role="alert">
            {error}
          </Alert>
        )}
        {prompt === 'token' ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (!token.trim()) return;
              session.provideToken(token);
              setTokenValue('');
            }}
          >
            <Stack>
              <PasswordInput
                label="New access token"
                description="npm run token prints one"
                required
                data-autofocus
                value={token}
                onChange={(e) => setTokenValue(e.currentTarget.value)}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => session.cancel()}>
                  Cancel
                </Button>
                <Button type="submit">Continue</Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <Group justify="flex-end">
            <Button variant="default" onClick={() => session.cancel()}>
              Cancel
            </Button>
            <Button
              loading={busy}
              data-autofocus
              onClick={() => {
                setBusy(true);
                void session.signInAgain().finally(() => setBusy(false));
              }}
            >
              Sign in again
            </Button>
          </Group>
        )}
      </Stack>
    </Modal>
  );
}
