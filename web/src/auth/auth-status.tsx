import { Badge, Button, Group, Text } from '@mantine/core';
import { authSession } from './session.ts';
import { useAuth } from './use-auth.ts';

/** The header's sign-in part: "Auth off" locally, otherwise who is signed in and Sign out. */
export function AuthStatus() {
  const { mode, user } = useAuth();
  if (mode === 'off') {
    return (
      <Badge
        color="gray"
        variant="outline"
        title="Local mode: no sign-in; every call is made as local-dev with all scopes"
      >
        Auth off
      </Badge>
    );
  }
  return (
    <Group gap={6} wrap="nowrap">
      {user && (
        <Text size="sm" c="dimmed" visibleFrom="sm" truncate maw={200} title={user}>
          {user}
        </Text>
      )}
      <Button size="compact-sm" variant="subtle" onClick={() => void authSession().signOut()}>
        Sign out
      </Button>
    </Group>
  );
}
