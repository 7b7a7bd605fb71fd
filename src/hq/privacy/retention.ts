import type { z } from 'zod';
import type { MemberRecord } from '../../shared/sync/protocol';
import { HqError, type HqContext } from '../context';
import { privacySenderOf, type PrivacyMessage, type PrivacySender } from '../privacy-self/sender';
import { recordPrivacyAudit } from './audit';
import { eraseMember } from './erasure';

const DAY_MS = 24 * 3_600_000;

/**
 * Three-year retention at HQ (issue 17 item 4). A member with no activity
 * for `inactiveDays` (three years by default: the CNIL's expectation for a
 * customer who no longer buys) is anonymised — erased exactly as on request
 * (privacy/erasure.ts: same tombstone to every terminal, points lapsed as the
 * programme states, a receipt with cause `retention`) — but only after a
 * notice sent `noticeDays` before to those who can be reached (email first,
 * else SMS). A member nobody can reach is anonymised the same number of days
 * after HQ recorded that no notice could go. Any activity after a notice
 * (a visit anywhere, a consent change, the customer at a screen) cancels it:
 * the clock starts again.
 *
 * Activity: the last of the member's journal entries in any store, their
 * consent changes, their enrolment, what they did themselves at a screen
 * (privacy_audit rows of role `customer`).
 *
 * Notices go through HQ's one pluggable gateway to customers
 * (privacy-self/sender.ts: the development outbox, privacy_outbox, until a
 * deployment installs its email and SMS gateways with usePrivacySender).
 * Runs from HQ's maintenance timer, or a CLI with an injected clock; each
 * member on its own, so one refusal (a redemption in flight) only waits for
 * the next run.
 */
export interface RetentionSettings {
  inactiveDays: number;
  noticeDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { inactiveDays: 3 * 365, noticeDays: 30 };

/** The notice as it is sent: through HQ's one gateway to customers (privacy-self/sender.ts), the development outbox until a deployment plugs its own. */
function noticeMessage(customerId: string, contact: { channel: 'email' | 'sms'; destination: string }, locale: 'fr' | 'en', anonymiseOn: string): PrivacyMessage {
  return {
    customerId,
    channel: contact.channel,
    to: contact.destination,
    subject: locale === 'en' ? 'Your Fidèle account' : 'Votre compte Fidèle',
    body: noticeText(locale, anonymiseOn),
  };
}

export function noticeText(locale: 'fr' | 'en', anonymiseOn: string): string {
  return locale === 'en'
    ? `Fidèle: we have not seen you for almost three years. Unless you shop with your card or sign in before ${anonymiseOn}, your loyalty account and its points will be erased, as our privacy notice says.`
    : `Fidèle : nous ne vous avons pas vu depuis bientôt trois ans. Sans passage en caisse avec votre carte d’ici le ${anonymiseOn}, votre compte fidélité et ses points seront effacés, comme l’annonce notre notice de confidentialité.`;
}

export interface RetentionOutcome {
  noticed: number;
  unreachable: number;
  anonymised: number;
  /** Members due but refused this run (a redemption in flight…): tried again at the next. */
  deferred: number;
}

type Record_ = z.infer<typeof MemberRecord>;

function contactOf(record: Record_): { channel: 'email' | 'sms'; destination: string } | null {
  if (record.email) return { channel: 'email', destination: record.email };
  if (record.phone) return { channel: 'sms', destination: record.phone };
  return null;
}

/** One pass as of HQ's clock (`now` for a test or a catch-up run). */
export async function runRetention(ctx: HqContext, sender: PrivacySender = privacySenderOf(ctx), settings: RetentionSettings = DEFAULT_RETENTION, now = ctx.clock.now()): Promise<RetentionOutcome> {
  const outcome: RetentionOutcome = { noticed: 0, unreachable: 0, anonymised: 0, deferred: 0 };
  const noticeFrom = now - (settings.inactiveDays - settings.noticeDays) * DAY_MS;
  const rows = await ctx.sql.query<{ customer_id: string; record: Record_; last_at: number; noticed_at: number | null; noticed_last: number | null }>(
    `WITH journal AS (
       SELECT member_id, max(wall_time) AS at FROM journal_entry WHERE member_id IS NOT NULL GROUP BY member_id
     ), consent AS (
       SELECT customer_id, max(recorded_at) AS at FROM member_consent GROUP BY customer_id
     ), own AS (
       SELECT customer_id, max(at) AS at FROM privacy_audit WHERE actor_role = 'customer' GROUP BY customer_id
     ), activity AS (
       SELECT m.customer_id, m.record,
         greatest(coalesce((m.record->>'createdAt')::bigint, 0), coalesce(j.at, 0), coalesce(c.at, 0), coalesce(o.at, 0)) AS last_at
       FROM member m
       LEFT JOIN journal j ON j.member_id = m.customer_id
       LEFT JOIN consent c ON c.customer_id = m.customer_id
       LEFT JOIN own o ON o.customer_id = m.customer_id
       WHERE m.record IS NOT NULL AND NOT EXISTS (SELECT 1 FROM member_erasure e WHERE e.customer_id = m.customer_id)
     )
     SELECT a.customer_id, a.record, a.last_at, n.noticed_at, n.last_activity_at AS noticed_last
     FROM activity a LEFT JOIN retention_notice n ON n.customer_id = a.customer_id
     WHERE a.last_at < $1 ORDER BY a.customer_id`,
    [noticeFrom],
  );
  for (const row of rows) {
    const lastAt = Number(row.last_at);
    const noticed = row.noticed_at !== null && Number(row.noticed_last) >= lastAt;
    if (!noticed) {
      const anonymiseOn = new Date(Math.max(lastAt + settings.inactiveDays * DAY_MS, now + settings.noticeDays * DAY_MS)).toISOString().slice(0, 10);
      const contact = contactOf(row.record);
      if (contact) {
        await sender.send(noticeMessage(row.customer_id, contact, row.record.locale, anonymiseOn));
        outcome.noticed++;
      } else {
        outcome.unreachable++;
      }
      await ctx.sql.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO retention_notice (customer_id, last_activity_at, noticed_at, channel) VALUES ($1, $2, $3, $4)
           ON CONFLICT (customer_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at, noticed_at = EXCLUDED.noticed_at, channel = EXCLUDED.channel`,
          [row.customer_id, lastAt, now, contact?.channel ?? null],
        );
        await recordPrivacyAudit(ctx, tx, {
          customerId: row.customer_id,
          actor: 'retention',
          actorRole: 'system',
          action: 'notice',
          detail: { channel: contact?.channel ?? null, anonymiseOn },
        });
      });
      continue;
    }
    const due = lastAt < now - settings.inactiveDays * DAY_MS && Number(row.noticed_at) <= now - settings.noticeDays * DAY_MS;
    if (!due) continue;
    const points = await ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [
      row.customer_id,
      `member:${row.customer_id}:points`,
    ]);
    try {
      await eraseMember(ctx, {
        memberId: row.customer_id,
        cardNumber: null,
        confirmedForfeit: Math.max(0, Number(points[0]?.balance ?? 0)),
        cause: 'retention',
        channel: 'retention',
        by: { actor: 'retention', role: 'system' },
      });
      outcome.anonymised++;
    } catch (error) {
      if (!(error instanceof HqError)) throw error;
      ctx.logger.warn('retention: a member due for anonymisation waits for the next run', { customerId: row.customer_id, code: error.code });
      outcome.deferred++;
    }
  }
  if (outcome.noticed + outcome.unreachable + outcome.anonymised + outcome.deferred > 0) ctx.logger.info('retention run', { ...outcome });
  return outcome;
}

const lastRuns = new WeakMap<HqContext, number>();

/**
 * From HQ's maintenance timer: a retention run at most once a day (HQ's
 * clock); notices go through the gateway usePrivacySender installed.
 */
export async function retentionTick(ctx: HqContext, settings: RetentionSettings = DEFAULT_RETENTION): Promise<RetentionOutcome | null> {
  const now = ctx.clock.now();
  const last = lastRuns.get(ctx);
  if (last !== undefined && now - last < DAY_MS) return null;
  lastRuns.set(ctx, now);
  return runRetention(ctx, privacySenderOf(ctx), settings, now);
}
