import { createHash, timingSafeEqual } from 'node:crypto';
import { maskEmail, maskPhone } from '../../main/core/privacy/masks';
import { newId, type HqContext } from '../context';
import type { Sql } from '../db';
import { privacySenderOf } from './sender';

/**
 * The proof of identity for self-service (issue 17 item 2): a six-digit code
 * HQ sends to the email or mobile number it holds for the member, typed on
 * the customer screen.
 *
 * Why a code and not « the last four digits of the phone and the birth
 * month »: Fidèle never asked for a birth date, and asking now would collect
 * data only to protect data; four digits of a number are printed on every
 * masked receipt and known to anyone who has the number; and twelve months
 * times ten thousand endings is a small space for someone standing at the
 * kiosk with a found card. A code proves the person holds the contact, and
 * the terminal, which keeps only hashes and masks of contacts, never sees it.
 * A member with no contact on file asks at the till, where the cashier checks
 * an identity document (the till starts the same flow for contacts on file).
 *
 * Bounds, per member and across every terminal (the guard is HQ's): a code
 * lives CODE_TTL_MS and serves once; MAX_WRONG_TRIES wrong codes in a row
 * lock the member's self-service for COOL_DOWN_MS; at most MAX_CODES codes
 * are sent per COOL_DOWN_MS, so a found card cannot flood someone's phone.
 */
export const CODE_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 10 * 60_000;
export const MAX_WRONG_TRIES = 5;
export const COOL_DOWN_MS = 15 * 60_000;
export const MAX_CODES = 3;

/** A refusal of the self-service route, with what the screen needs to explain it. */
export class PrivacySelfError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly detail: { triesLeft?: number; retryAt?: number } = {},
  ) {
    super(message);
    this.name = 'PrivacySelfError';
  }
}

export interface HqMemberRecord {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  locale: 'fr' | 'en';
  cards: string[];
  createdAt: number;
}

export async function memberRecord(sql: Sql, customerId: string): Promise<HqMemberRecord | null> {
  const rows = await sql.query<{ record: HqMemberRecord | null }>('SELECT record FROM member WHERE customer_id = $1', [customerId]);
  return rows[0]?.record ?? null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const codeHash = (challengeId: string, code: string) => sha256(`privacy-code\u0000${challengeId}\u0000${code}`);
export const tokenHash = (token: string) => sha256(`privacy-token\u0000${token}`);

/** A uniformly drawn six-digit code (bytes above the last whole million are drawn again). */
function drawCode(ctx: HqContext): string {
  for (;;) {
    const b = ctx.random.bytes(3);
    const value = (b[0]! << 16) | (b[1]! << 8) | b[2]!;
    if (value < 16_000_000) return String(value % 1_000_000).padStart(6, '0');
  }
}

export function newToken(ctx: HqContext): string {
  return Buffer.from(ctx.random.bytes(32)).toString('base64url');
}

async function lockedUntil(sql: Sql, customerId: string, now: number): Promise<number | null> {
  const rows = await sql.query<{ locked_until: number }>('SELECT locked_until FROM privacy_guard WHERE customer_id = $1', [customerId]);
  const until = rows[0]?.locked_until ?? 0;
  return until > now ? until : null;
}

function lockedError(until: number): PrivacySelfError {
  return new PrivacySelfError('locked', 429, 'too many wrong codes: self-service is paused for this card', { retryAt: until });
}

const CODE_TEXT = {
  fr: { subject: 'Votre code Fidèle', body: (code: string) => `Votre code pour consulter vos données Fidèle en magasin : ${code}\nIl est valable 10 minutes. Si vous n’êtes pas en magasin, ignorez ce message.` },
  en: { subject: 'Your Fidèle code', body: (code: string) => `Your code to see your Fidèle data in store: ${code}\nIt is valid for 10 minutes. If you are not in a store, ignore this message.` },
};

/** Sends a code to the member's email (or, asked for or without one, their mobile) and answers where, masked. */
export async function startChallenge(
  ctx: HqContext,
  terminalId: string,
  customerId: string,
  channel: 'email' | 'sms' | null,
): Promise<{ challengeId: string; channel: 'email' | 'sms'; destination: string; expiresAt: number }> {
  const now = ctx.clock.now();
  const record = await memberRecord(ctx.sql, customerId);
  if (!record) throw new PrivacySelfError('unknown_member', 404, 'HQ holds no record of this member yet');
  const locked = await lockedUntil(ctx.sql, customerId, now);
  if (locked !== null) throw lockedError(locked);
  const use: 'email' | 'sms' | null = channel === 'sms' ? (record.phone ? 'sms' : null) : channel === 'email' ? (record.email ? 'email' : null) : record.email ? 'email' : record.phone ? 'sms' : null;
  if (use === null) throw new PrivacySelfError('no_contact', 409, 'no contact on file to send a code to: ask at the till');
  const recent = await ctx.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM privacy_challenge WHERE customer_id = $1 AND created_at > $2', [
    customerId,
    now - COOL_DOWN_MS,
  ]);
  if (recent[0]!.n >= MAX_CODES) throw new PrivacySelfError('too_many_codes', 429, 'enough codes were sent for now', { retryAt: now + COOL_DOWN_MS });
  const challengeId = newId(ctx);
  const code = drawCode(ctx);
  const to = use === 'email' ? record.email! : record.phone!;
  await ctx.sql.query(
    'INSERT INTO privacy_challenge (challenge_id, customer_id, terminal_id, channel, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [challengeId, customerId, terminalId, use, codeHash(challengeId, code), now, now + CODE_TTL_MS],
  );
  const text = CODE_TEXT[record.locale] ?? CODE_TEXT.fr;
  await privacySenderOf(ctx).send({ customerId, channel: use, to, subject: text.subject, body: text.body(code) });
  return { challengeId, channel: use, destination: use === 'email' ? maskEmail(to) : maskPhone(to), expiresAt: now + CODE_TTL_MS };
}

/**
 * Checks a code. Right: the challenge is spent, the wrong tries forgotten, and
 * a session token answered (its hash kept). Wrong: one more wrong try for the
 * member, the lock at MAX_WRONG_TRIES. Only the terminal that asked may answer.
 */
export async function verifyChallenge(ctx: HqContext, terminalId: string, challengeId: string, code: string): Promise<{ customerId: string; session: string; expiresAt: number }> {
  const now = ctx.clock.now();
  return ctx.sql.transaction(async (tx) => {
    const rows = await tx.query<{ customer_id: string; terminal_id: string; code_hash: string; expires_at: number; done_at: number | null }>(
      'SELECT customer_id, terminal_id, code_hash, expires_at, done_at FROM privacy_challenge WHERE challenge_id = $1 FOR UPDATE',
      [challengeId],
    );
    const challenge = rows[0];
    if (!challenge || challenge.terminal_id !== terminalId) throw new PrivacySelfError('unknown_code', 404, 'no such code was sent from this terminal');
    const locked = await lockedUntil(tx, challenge.customer_id, now);
    if (locked !== null) throw lockedError(locked);
    if (challenge.done_at !== null) throw new PrivacySelfError('code_used', 409, 'this code was already used');
    if (challenge.expires_at <= now) throw new PrivacySelfError('code_expired', 410, 'this code has expired: ask for a new one');
    const right = timingSafeEqual(Buffer.from(codeHash(challengeId, code), 'hex'), Buffer.from(challenge.code_hash, 'hex'));
    if (!right) {
      const guard = await tx.query<{ wrong_tries: number }>(
        `INSERT INTO privacy_guard (customer_id, wrong_tries, locked_until) VALUES ($1, 1, 0)
         ON CONFLICT (customer_id) DO UPDATE SET wrong_tries = privacy_guard.wrong_tries + 1 RETURNING wrong_tries`,
        [challenge.customer_id],
      );
      const wrong = guard[0]!.wrong_tries;
      if (wrong >= MAX_WRONG_TRIES) {
        // The code in flight dies with the lock: after the cool-down, a new one is needed.
        await tx.query('UPDATE privacy_guard SET wrong_tries = 0, locked_until = $2 WHERE customer_id = $1', [challenge.customer_id, now + COOL_DOWN_MS]);
        await tx.query('UPDATE privacy_challenge SET done_at = $2 WHERE customer_id = $1 AND done_at IS NULL', [challenge.customer_id, now]);
        return { wrong: lockedError(now + COOL_DOWN_MS) };
      }
      return { wrong: new PrivacySelfError('wrong_code', 400, 'wrong code', { triesLeft: MAX_WRONG_TRIES - wrong }) };
    }
    await tx.query('UPDATE privacy_challenge SET done_at = $2 WHERE challenge_id = $1', [challengeId, now]);
    await tx.query('DELETE FROM privacy_guard WHERE customer_id = $1', [challenge.customer_id]);
    const session = newToken(ctx);
    await tx.query('INSERT INTO privacy_session (token_hash, customer_id, terminal_id, expires_at) VALUES ($1, $2, $3, $4)', [
      tokenHash(session),
      challenge.customer_id,
      terminalId,
      now + SESSION_TTL_MS,
    ]);
    return { customerId: challenge.customer_id, session, expiresAt: now + SESSION_TTL_MS };
  }).then((outcome) => {
    // A wrong try is committed before it is refused: throwing inside would roll the count back.
    if ('wrong' in outcome) throw outcome.wrong;
    return outcome;
  });
}

/** The member a live session of this terminal acts for; refused when unknown, expired or another terminal's. */
export async function sessionMember(ctx: HqContext, terminalId: string, session: string): Promise<string> {
  const rows = await ctx.sql.query<{ customer_id: string; terminal_id: string; expires_at: number }>(
    'SELECT customer_id, terminal_id, expires_at FROM privacy_session WHERE token_hash = $1',
    [tokenHash(session)],
  );
  const row = rows[0];
  if (!row || row.terminal_id !== terminalId || row.expires_at <= ctx.clock.now()) {
    throw new PrivacySelfError('session_expired', 401, 'the proof of identity has expired: ask for a new code');
  }
  return row.customer_id;
}

/** The request a session's steps are traced by in HQ's privacy audit (issue 17 item 6): derived, so nothing more is stored. */
export function requestIdOf(session: string): string {
  return `self-${tokenHash(session).slice(0, 32)}`;
}

/** Who acts in a self-service step, as HQ's privacy audit names them. */
export function selfActor(terminalId: string): { actor: string; actorRole: string } {
  return { actor: `self-service:${terminalId}`, actorRole: 'customer' };
}

/** Ends every self-service session of a member (after an erasure). */
export async function endSessions(sql: Sql, customerId: string): Promise<void> {
  await sql.query('DELETE FROM privacy_session WHERE customer_id = $1', [customerId]);
}
