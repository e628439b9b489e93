import { useMemo, useState } from 'react';
import {
  ActionIcon,
  AppShell,
  Badge,
  Group,
  Kbd,
  Modal,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { Outlet, useNavigate } from '@tanstack/react-router';
import { useLiveState, type LiveState } from './live.tsx';
import { useShortcuts } from './shortcuts.ts';
import { AnchorLink } from '../components/links.tsx';
import { AuthStatus } from '../auth/auth-status.tsx';
import { ReauthDialog } from '../auth/reauth-dialog.tsx';

export const SEARCH_INPUT_ID = 'instance-search';

/** Below Mantine's `sm` the header has two rows (app.css `.app-header`): title and status, then the links. */
const HEADER_NARROW_PX = 88;

const LIVE: Record<LiveState, { color: string; label: string }> = {
  connecting: { color: 'gray', label: 'Connecting' },
  open: { color: 'teal', label: 'Live' },
  reconnecting: { color: 'orange', label: 'Reconnecting' },
  closed: { color: 'red', label: 'Offline' },
};

export function LiveBadge() {
  const state = useLiveState();
  const { color, label } = LIVE[state];
  return (
    <Badge
      color={color}
      variant="dot"
      role="status"
      aria-live="polite"
      aria-label={`Live updates: ${label.toLowerCase()}`}
    >
      {label}
    </Badge>
  );
}

const SHORTCUTS: [string, string][] = [
  ['/', 'Search instances'],
  ['n', 'New instance'],
  ['?', 'This help'],
  ['Esc', 'Close a dialog or drawer'],
];

export function Layout() {
  const navigate = useNavigate();
  const [help, setHelp] = useState(false);
  const shortcuts = useMemo(
    () => ({
      '/': () => {
        const el = document.getElementById(SEARCH_INPUT_ID);
        if (el) el.focus();
        else
          void navigate({ to: '/' }).then(() =>
            requestAnimationFrame(() => document.getElementById(SEARCH_INPUT_ID)?.focus()),
          );
      },
      n: () => void navigate({ to: '/instances/new' }),
      '?': () => setHelp(true),
    }),
    [navigate],
  );
  useShortcuts(shortcuts);
  return (
    <AppShell header={{ height: { base: HEADER_NARROW_PX, sm: 56 } }} padding="md">
      <AppShell.Header>
        <div className="app-header">
          <AnchorLink to="/" c="inherit" underline="never" className="app-header-title">
            <Title order={2} size="h4">
              Inference Instances
            </Title>
          </AnchorLink>
          <nav aria-label="Main" className="app-header-nav">
            <Group gap="md" wrap="nowrap">
              <AnchorLink to="/" activeOptions={{ exact: true }}>
                Instances
              </AnchorLink>
              <AnchorLink to="/operations">Operations</AnchorLink>
              <AnchorLink to="/history">Audit log</AnchorLink>
            </Group>
          </nav>
          <Group gap="xs" wrap="nowrap" className="app-header-status">
            <AuthStatus />
            <LiveBadge />
            <Tooltip label="Keyboard shortcuts (?)">
              <ActionIcon
                variant="subtle"
                aria-label="Keyboard shortcuts"
                onClick={() => setHelp(true)}
              >
                ?
              </ActionIcon>
            </Tooltip>
          </Group>
        </div>
      </AppShell.Header>
      {/* AppShell.Main is the page's one <main> landmark. */}
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
      <ReauthDialog />
      <Modal opened={help} onClose={() => setHelp(false)} title="Keyboard shortcuts">
        <Table aria-label="Keyboard shortcuts">
          <Table.Tbody>
            {SHORTCUTS.map(([key, what]) => (
              <Table.Tr key={key}>
                <Table.Td>
                  <Kbd>{key}</Kbd>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{what}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Modal>
    </AppShell>
  );
}
