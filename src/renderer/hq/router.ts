import { useEffect, useState, type MouseEvent } from 'react';

/**
 * Path-based routing under /console/: `/console/<view>?lang=en`. HQ answers
 * every /console/<view> with the same page, so a link can be bookmarked, and
 * the login page brings the browser back to the view it asked for.
 */
export const CONSOLE_BASE = '/console/';

export interface Route {
  /** The view's id: the path's one segment after /console/, '' for the console's root. */
  view: string;
  lang: 'fr' | 'en';
}

function current(): Route {
  const path = window.location.pathname;
  const view = path.startsWith(CONSOLE_BASE) ? decodeURIComponent(path.slice(CONSOLE_BASE.length).split('/')[0] ?? '') : '';
  return { view, lang: new URLSearchParams(window.location.search).get('lang') === 'en' ? 'en' : 'fr' };
}

const listeners = new Set<() => void>();

export function hrefOf(route: Route): string {
  return `${CONSOLE_BASE}${encodeURIComponent(route.view)}${route.lang === 'en' ? '?lang=en' : ''}`;
}

export function navigate(route: Route, o: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (o.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

/** A plain left click on a console link stays in the page; anything else (new tab, copy) keeps the link's own behaviour. */
export function followLink(event: MouseEvent<HTMLAnchorElement>, route: Route): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(route);
}
