/** Mantine's Anchor and Button as typed router links (params and search checked by tsc). */
import { forwardRef, type ComponentPropsWithoutRef, type ReactNode } from 'react';
import { Anchor, Button, type AnchorProps, type ButtonProps } from '@mantine/core';
import { createLink, useRouter } from '@tanstack/react-router';

const AnchorA = forwardRef<HTMLAnchorElement, AnchorProps & ComponentPropsWithoutRef<'a'>>(
  (props, ref) => <Anchor component="a" ref={ref} {...props} />,
);
AnchorA.displayName = 'AnchorA';

const ButtonA = forwardRef<HTMLAnchorElement, ButtonProps & ComponentPropsWithoutRef<'a'>>(
  (props, ref) => <Button component="a" ref={ref} {...props} />,
);
ButtonA.displayName = 'ButtonA';

export const AnchorLink = createLink(AnchorA);
export const ButtonLink = createLink(ButtonA);

/**
 * A plain `<a>` to an instance for long lists (a page of 200 rows): a router `Link` per row
 * builds and matches its location and sets up preloading on every mount, which dominates the
 * time to show the next page. This one navigates through the router on a plain click (new tab,
 * window and the like left to the browser) and preloads the route on intent like the links.
 */
export function InstanceAnchor({
  id,
  children,
  ...rest
}: { id: number; children: ReactNode } & Omit<
  ComponentPropsWithoutRef<'a'>,
  'id' | 'href' | 'onClick' | 'onMouseEnter' | 'onFocus'
>) {
  const router = useRouter();
  const target = { to: '/instances/$id', params: { id } } as const;
  const preload = () => void router.preloadRoute(target).catch(() => undefined);
  return (
    <a
      {...rest}
      href={router.history.createHref(`/instances/${id}`)}
      onMouseEnter={preload}
      onFocus={preload}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0) return;
        if (e.metaKey || e.altKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        void router.navigate(target);
      }}
    >
      {children}
    </a>
  );
}
