import { hqFetch, rememberCsrfToken } from './api';

/** Who is signed in, and what HQ lets their role do (GET /v1/console/session, src/hq/console.ts). */
export interface ConsoleSession {
  username: string;
  role: 'it' | 'marketing' | 'service' | 'admin';
  csrfToken: string;
  expiresAt: number;
  /** HQ's permission names for this role (src/hq/staff/roles.ts): views are shown by them. */
  permissions: string[];
}

export async function loadSession(): Promise<ConsoleSession> {
  const session = await hqFetch<ConsoleSession>('/v1/console/session');
  rememberCsrfToken(session.csrfToken);
  return session;
}

export async function signOut(): Promise<void> {
  await hqFetch('/v1/staff/logout', { method: 'POST' });
}
