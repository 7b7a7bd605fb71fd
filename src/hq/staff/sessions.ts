import { createHash } from 'node:crypto';
import type { HqContext } from '../context';
import type { Role } from './roles';

/**
 * Server-side staff sessions. The cookie carries a random token; the database
 * keeps only its SHA-256, so reading the table opens no session. A session
 * ends after `idleMs` without a request, and `absoluteMs` after login whatever
 * happens. The CSRF token is derived from the cookie token: a page that cannot
 * read the (HttpOnly) cookie cannot compute it.
 */
export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 };

export interface StaffSession {
  username: string;
  role: Role;
  csrfToken: string;
  /** When the session ends if nothing else happens (idle or absolute, whichever comes first). */
  expiresAt: number;
}

type Ctx = Pick<HqContext, 'sql' | 'clock' | 'random'>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
export const csrfTokenFor = (token: string) => sha256(`csrf\0${token}`);
const tokenHash = (token: string) => sha256(`session\0${token}`);
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

// A busy console would otherwise write a row per request: the idle clock is moved at most this often.
const TOUCH_EVERY_MS = 30_000;

export async function openSession(ctx: Ctx, username: string, policy: SessionPolicy): Promise<{ token: string; session: Omit<StaffSession, 'role'> }> {
  const token = Buffer.from(ctx.random.bytes(32)).toString('base64url');
  const now = ctx.clock.now();
  await ctx.sql.query('INSERT INTO staff_session (token_hash, username, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)', [
    tokenHash(token),
    username,
    now,
    now + policy.absoluteMs,
  ]);
  return { token, session: { username, csrfToken: csrfTokenFor(token), expiresAt: Math.min(now + policy.idleMs, now + policy.absoluteMs) } };
}

/** The live session for a cookie token, or null (unknown, expired, account disabled). Expired rows are removed. */
export async function findSession(ctx: Ctx, token: string, policy: SessionPolicy): Promise<StaffSession | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const hash = tokenHash(token);
  const rows = await ctx.sql.query<{ username: string; role: Role; disabled: boolean; last_seen_at: number; expires_at: number }>(
    `SELECT s.username, a.role, a.disabled, s.last_seen_at, s.expires_at
     FROM staff_session s JOIN staff_account a ON a.username = s.username WHERE s.token_hash = $1`,
    [hash],
  );
  const row = rows[0];
  if (!row) return null;
  const now = ctx.clock.now();
  if (row.disabled || now >= row.expires_at || now - row.last_seen_at >= policy.idleMs) {
    await ctx.sql.query('DELETE FROM staff_session WHERE token_hash = $1', [hash]);
    return null;
  }
  if (now - row.last_seen_at >= TOUCH_EVERY_MS) await ctx.sql.query('UPDATE staff_session SET last_seen_at = $2 WHERE token_hash = $1', [hash, now]);
  return { username: row.username, role: row.role, csrfToken: csrfTokenFor(token), expiresAt: Math.min(row.expires_at, now + policy.idleMs) };
}

export async function closeSession(ctx: Pick<HqContext, 'sql'>, token: string): Promise<void> {
  await ctx.sql.query('DELETE FROM staff_session WHERE token_hash = $1', [tokenHash(token)]);
}

/** Forgets sessions that can no longer be used (run with HQ's maintenance). */
export async function pruneSessions(ctx: Ctx, policy: SessionPolicy): Promise<number> {
  const now = ctx.clock.now();
  const rows = await ctx.sql.query('DELETE FROM staff_session WHERE expires_at <= $1 OR last_seen_at <= $2 RETURNING token_hash', [now, now - policy.idleMs]);
  return rows.length;
}
