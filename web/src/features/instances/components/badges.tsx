import type { CSSProperties } from 'react';
import { Badge, useMantineTheme, type MantineTheme } from '@mantine/core';
import type { Priority, Status } from '../../../../../client/index.ts';

export const STATUS_COLOR: Record<Status, string> = {
  pending: 'yellow',
  active: 'teal',
  inactive: 'gray',
  error: 'red',
  terminated: 'grape',
};
export const PRIORITY_COLOR: Record<Priority, string> = {
  low: 'gray',
  medium: 'blue',
  high: 'orange',
  critical: 'red',
};

/** Badge labels are dark on the tinted backgrounds (WCAG AA; the theme in app/app.tsx). */
export const BADGE_LABEL_COLOR = 'var(--mantine-color-dark-8)';
const LABEL_STYLE: CSSProperties = { color: BADGE_LABEL_COLOR };
const ROOT = `${Badge.classes.root} mantine-Badge-root`;
const LABEL = `${Badge.classes.label} mantine-Badge-label`;

/** Badge's CSS variables per theme, variant and colour: computed once, not once per row. */
const varsCache = new WeakMap<MantineTheme, Map<string, CSSProperties>>();
function badgeVars(theme: MantineTheme, variant: 'light' | 'outline', color: string) {
  let byKey = varsCache.get(theme);
  if (!byKey) varsCache.set(theme, (byKey = new Map()));
  const key = `${variant}:${color}`;
  let vars = byKey.get(key);
  if (!vars) {
    const root =
      Badge.varsResolver(theme, { variant, color, autoContrast: true }, undefined).root ?? {};
    vars = Object.fromEntries(Object.entries(root).filter(([, v]) => v !== undefined));
    byKey.set(key, vars);
  }
  return vars;
}

/**
 * The DOM and classes of Mantine's `<Badge variant autoContrast>` without its component: a
 * page of 200 instances shows 400 badges, and each Mantine component costs its props, styles
 * and Box layers on every mount (bench/console.ts, "next page, 200 rows").
 */
function LeanBadge({
  variant,
  color,
  children,
}: {
  variant: 'light' | 'outline';
  color: string;
  children: string;
}) {
  const theme = useMantineTheme();
  return (
    <div className={ROOT} data-variant={variant} style={badgeVars(theme, variant, color)}>
      <span className={LABEL} style={LABEL_STYLE}>
        {children}
      </span>
    </div>
  );
}

export const StatusBadge = ({ status }: { status: Status }) => (
  <LeanBadge variant="light" color={STATUS_COLOR[status]}>
    {status}
  </LeanBadge>
);

export const PriorityBadge = ({ priority }: { priority: Priority }) => (
  <LeanBadge variant="outline" color={PRIORITY_COLOR[priority]}>
    {priority}
  </LeanBadge>
);
