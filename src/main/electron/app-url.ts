/**
 * The screens are served from our own `app://` scheme, never `file://`: the
 * origin is then ours alone, the CSP applies, and a sender's URL tells us
 * which page sent an IPC call. Pure, so the checks are unit-tested.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fidele';

/** The roles that get a window in Electron. The simulator is a browser-mode page only. */
export const WINDOW_ROLES = ['cashier', 'customer'] as const;
export type WindowRole = (typeof WINDOW_ROLES)[number];

export function pageUrl(role: WindowRole): string {
  return `${APP_SCHEME}://${APP_HOST}/${role}/index.html`;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether a URL is on our own scheme and host (the app origin). */
export function isAppOrigin(url: string): boolean {
  const parsed = parse(url);
  // `app:` is not a WHATWG special scheme, so URL.origin is "null": compare the parts.
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** Whether a URL is the given role's page (query and fragment aside). */
export function isRolePage(url: string, role: WindowRole): boolean {
  const parsed = parse(url);
  return parsed !== null && isAppOrigin(url) && parsed.pathname.startsWith(`/${role}/`);
}

/**
 * A window may only "navigate" to its own page (a reload, or a fragment
 * change); anything else, even another page of ours, is refused.
 */
export function isAllowedNavigation(target: string, role: WindowRole): boolean {
  const parsed = parse(target);
  const own = parse(pageUrl(role));
  return parsed !== null && own !== null && isAppOrigin(target) && parsed.pathname === own.pathname;
}
