import { Stack, Text, Title } from '@mantine/core';
import { AnchorLink } from '../components/links.tsx';

export function NotFound() {
  return (
    <Stack>
      <Title order={1}>Page not found</Title>
      <Text>
        <AnchorLink to="/">Back to the instances</AnchorLink>
      </Text>
    </Stack>
  );
}
