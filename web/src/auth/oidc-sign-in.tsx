import { useEffect, useState } from 'react';
import { Alert, Button, Container, Loader, Stack, Text, Title } from '@mantine/core';
import { CONSOLE_SIGN_IN } from '../../../shared/config/auth.ts';
import { authSession } from './session.ts';

type Phase = 'checking' | 'signed-out' | 'popup-done' | { error: string };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Once per page load (React's StrictMode runs effects twice; a sign-in response can be used only
 * once): finishes a sign-in on the callback route, or finds the user already signed in.
 */
let gate: Promise<'open' | 'popup-done' | 'signed-out'> | undefined;
function checkSignIn() {
  gate ??= (async () => {
    const client = await authSession().client();
    if (location.pathname === CONSOLE_SIGN_IN.callbackPath) {
      const result = await client.handleCallback(location.href);
      if (result.done === 'popup') return 'popup-done';
      history.replaceState(null, '', result.returnTo);
      return 'open';
    }
    return (await client.restore()) ? 'open' : 'signed-out';
  })();
  return gate;
}

/**
 * `oidc` mode before the console opens: the callback route finishes a sign-in (the redirect
 * back from the hosted UI, or the popup of a sign-in again); otherwise a "Sign in" button sends
 * the browser to the hosted UI and brings it back to the page it was on.
 */
export function OidcSignIn({ onDone }: { onDone: () => void }) {
  const [phase, setPhase] = useState<Phase>('checking');
  useEffect(() => {
    let live = true;
    checkSignIn().then(
      (result) => {
        if (!live) return;
        if (result === 'open') onDone();
        else setPhase(result);
      },
      (err: unknown) => live && setPhase({ error: message(err) }),
    );
    return () => {
      live = false;
    };
  }, [onDone]);

  const signIn = () => {
    const here = `${location.pathname}${location.search}${location.hash}`;
    const returnTo = location.pathname === CONSOLE_SIGN_IN.callbackPath ? '/' : here;
    authSession()
      .client()
      .then((c) => c.signInRedirect(returnTo))
      .catch((err: unknown) => setPhase({ error: message(err) }));
  };

  return (
    <Container size="xs" py="xl">
      <main>
        <Stack>
          <Title order={1}>Inference Instances</Title>
          {phase === 'checking' && <Loader aria-label="Signing in" />}
          {phase === 'popup-done' && <Text>Signed in. This window can be closed.</Text>}
          {typeof phase === 'object' && (
            <Alert color="red" title="Sign-in failed" role="alert">
              {phase.error}
            </Alert>
          )}
          {(phase === 'signed-out' || typeof phase === 'object') && (
            <>
              <Text>Sign in with your operator account to open the console.</Text>
              <Button onClick={signIn}>Sign in</Button>
            </>
          )}
        </Stack>
      </main>
    </Container>
  );
}
