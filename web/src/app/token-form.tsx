import { useState } from 'react';
import { Button, Container, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { setToken } from '../lib/api.tsx';

/** Auth "token" mode: the bearer token is asked for and kept in memory only. */
export function TokenForm({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
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
            <Text>This API needs a bearer token (JWT). It stays in this tab's memory.</Text>
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
