import { useMemo, useState } from 'react';
import {
  Alert,
  Badge,
  Drawer,
  MantineProvider,
  Modal,
  Notification,
  createTheme,
  type CSSVariablesResolver,
} from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import type { ConsoleConfig } from '../lib/config.ts';
import { ApiProvider, createApi } from '../lib/api.tsx';
import { createQueryClient } from '../lib/query-client.ts';
import { LiveProvider } from './live.tsx';
import { createAppRouter } from './router.tsx';
import { TokenForm } from './token-form.tsx';

/**
 * WCAG AA contrast (axe-core runs in the browser tests): the primary colour at shade 8, dimmed
 * text gray 7 (notification messages too), error text red 8, badges as tinted backgrounds with
 * dark labels, and a lighter hover for light primary buttons.
 */
export const theme = createTheme({
  // Dialogs, drawers and menus appear without sliding for operators who ask their system for
  // less motion (WCAG 2.3.3), as the live-row highlights in app.css already do.
  respectReducedMotion: true,
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    Badge: Badge.extend({
      defaultProps: { variant: 'light' },
      styles: { label: { color: 'var(--mantine-color-dark-8)' } },
    }),
    Alert: Alert.extend({ styles: { title: { color: 'var(--mantine-color-dark-8)' } } }),
    // Close buttons are icons: they need a name (axe button-name).
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    // A dialog's header is a <header> of its own: outside any sectioning landmark (a dialog is
    // not one) it is a second banner beside the app's (axe landmark-no-duplicate-banner).
    ModalHeader: { defaultProps: { component: 'div' } },
    DrawerHeader: { defaultProps: { component: 'div' } },
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } },
      // Under a title Mantine greys the message (gray 6 on white, 3.3:1); it carries the
      // request id an operator reads out: dimmed text at AA instead.
      styles: { description: { color: 'var(--mantine-color-dimmed)' } },
    }),
  },
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-error': 'var(--mantine-color-red-8)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
    // Light buttons of the primary colour: indigo 9 text on the hover's indigo 2 is 4.1:1;
    // a hover between indigo 1 and 2 keeps it visible and at 5:1.
    '--mantine-color-indigo-light-hover':
      'color-mix(in srgb, var(--mantine-color-indigo-1) 60%, var(--mantine-color-indigo-2))',
    // Light red (the delete buttons): red 9 on the hover's red 2 is 3.8:1, and red has no darker
    // shade; the text darkened by 15% is 4.8:1 there and the hover stays as visible as it was.
    '--mantine-color-red-light-color': 'color-mix(in srgb, var(--mantine-color-red-9) 85%, black)',
  },
  dark: {},
});

export function App({ config }: { config: ConsoleConfig }) {
  const api = useMemo(() => createApi(config), [config]);
  const queryClient = useMemo(() => createQueryClient(), []);
  const router = useMemo(() => createAppRouter({ api, queryClient }), [api, queryClient]);
  const [authed, setAuthed] = useState(config.auth === 'off');
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <Notifications position="bottom-right" />
      {authed ? (
        <ApiProvider api={api}>
          <QueryClientProvider client={queryClient}>
            <LiveProvider>
              <RouterProvider router={router} />
            </LiveProvider>
          </QueryClientProvider>
        </ApiProvider>
      ) : (
        <TokenForm onDone={() => setAuthed(true)} />
      )}
    </MantineProvider>
  );
}
