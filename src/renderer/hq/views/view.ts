import type { ComponentType } from 'react';

/**
 * One view of the console: a page of its own at /console/<id>, a link in the
 * navigation bar for the roles HQ gives `permission`, and a component that
 * renders everything inside <main>, starting with the view's one <h1>.
 */
export interface ConsoleView {
  /** The path segment: /console/<id>. Lowercase letters and dashes. */
  id: string;
  /** HQ's permission (src/hq/staff/roles.ts) a role needs to see the view; HQ's API checks it again. */
  permission: string;
  /** The link's text and the tab's title, French first. */
  title: { fr: string; en: string };
  Component: ComponentType;
}
