import { useState } from 'react';
import { Button, Container, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { setToken } from '../lib/api.tsx';
import { authSession } from '../auth/session.ts';
import { OidcSignIn } from '../auth/oidc-sign-in.tsx';

/**
 * Before the console opens when auth is on. Auth "token" mode (`npm start -- --auth`): the
 * bearer token is asked for and kept in memory only. Auth "oidc" mode (deployed): the hosted-UI
 * sign-in (web/src/auth/oidc-sign-in.tsx).
 */
export function TokenForm({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  if (authSession().mode === 'oidc') return <OidcSignIn onDone={onDone} />;
  return (
    <Container size="xs" py="xl">
      <main>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setToken(value);
            onDone();
          }}
        >
          <Stack>
            <Title order={1}>Inference Instances</Title>
            <Text>
              This API needs a bearer token (JWT); <code>npm run token</code> prints one. It stays
              in this tab&apos;s memory.
            </Text>
            <PasswordInput
              label="Access token"
              required
              value={value}
              onChange={(e) => setValue(e.currentTarget.value)}
            />
            <Button type="submit">Continue</Button>
          </Stack>
        </form>
      </main>
    </Container>
  );
}
