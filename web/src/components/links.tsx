/** Mantine's Anchor and Button as typed router links (params and search checked by tsc). */
import { forwardRef, type ComponentPropsWithoutRef } from 'react';
import { Anchor, Button, type AnchorProps, type ButtonProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';

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
