import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { describeError } from '../lib/errors.ts';
import { AnchorLink } from '../components/links.tsx';

/**
 * What a page that failed to render shows, in place of the page only: the router wraps each
 * route in a boundary with this (`defaultErrorComponent`), so the header and its navigation stay
 * and the operator can go elsewhere or try again. Navigating away resets the boundary.
 */
export function RouteError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  return (
    <Stack maw={960}>
      <Alert color="red" role="alert" title="This page could not be shown">
        <Stack gap="sm">
          <Text size="sm">{describeError(error).message}</Text>
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() => {
                reset();
                void router.invalidate();
              }}
            >
              Try again
            </Button>
            <AnchorLink to="/" size="sm">
              Back to the instances
            </AnchorLink>
          </Group>
        </Stack>
      </Alert>
    </Stack>
  );
}
