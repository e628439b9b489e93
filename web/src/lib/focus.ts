/**
 * Where focus goes after an action takes the operator to another page (a create opens the new
 * instance, a delete goes back to the list): to that page's heading, instead of being lost to
 * <body> with the element that had it. The page that mounts next takes the request.
 */
import { useEffect, useRef } from 'react';

/** A request older than this is stale (the page it was for never came). */
const REQUEST_MS = 10_000;
let requestedAt = 0;

/** Asks the next page heading that mounts (usePageHeadingFocus) to take the focus. */
export function focusNextPageHeading(): void {
  requestedAt = Date.now();
}

/** A ref for a page's heading (give it tabIndex -1): focused on mount when it was asked to be. */
export function usePageHeadingFocus<T extends HTMLElement = HTMLHeadingElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (!ref.current || Date.now() - requestedAt > REQUEST_MS) return;
    requestedAt = 0;
    ref.current.focus();
  }, []);
  return ref;
}
