import type { OfferRule } from '../../../shared/offers/rules';
import { MAX_OFFER_STAT_DAYS, OfferStatsReceipt, type OfferRuleCounts, type OfferStatsDay, type OfferStatsReport } from '../../../shared/sync/offer-stats';
import { PROTOCOL_VERSION } from '../../../shared/sync/protocol';
import type { Db } from '../db/database';
import { perConnection } from '../db/per-connection';
import { postSigned, type Stamp } from '../sync/hq-clock';
import type { HqLink } from '../sync/hq-link';
import { verifySigned } from '../sync/signing';

/**
 * Offers counted for HQ (issue 16 item 3): shown, accepted, refused, and
 * converted, by day and rule, from the terminal's contact ledger.
 *
 * A conversion is an accepted offer followed, on a later visit within
 * CONVERSION_DAYS, by a purchase of what it was about: the category a bonus
 * targets, else the categories its basket condition names, else any purchase
 * (a voucher or a booking brings the customer back; what they buy then is
 * theirs). The visit that accepted it does not count: its basket is what
 * showed the offer.
 *
 * Migration 32's triggers mark the day (UTC) of every contact written or
 * answered in offer_stat_outbox with a rising version; the outbox sends the
 * whole day's counts (absolute, so HQ replaces what it had) and removes a day
 * only at the version it sent, from a receipt signed with HQ's key.
 */
export const CONVERSION_DAYS = 14;
const DAY_MS = 86_400_000;

const statements = perConnection((db: Db) => ({
  awaiting: db.prepare<[string, number, number], { id: number; rule_id: string; answered_at: number }>(
    "SELECT id, rule_id, answered_at FROM offer_contact WHERE member_id = ? AND answer = 'accepted' AND converted_at IS NULL AND answered_at > ? AND answered_at <= ?",
  ),
  converted: db.prepare<[number, number]>('UPDATE offer_contact SET converted_at = ? WHERE id = ? AND converted_at IS NULL'),
  membersAwaiting: db.prepare<[number], { member_id: string }>(
    "SELECT DISTINCT member_id FROM offer_contact WHERE answer = 'accepted' AND converted_at IS NULL AND answered_at > ?",
  ),
  counts: db.prepare<[number, number], { rule_id: string; shown: number; accepted: number; refused: number; converted: number }>(
    `SELECT rule_id, count(*) AS shown, sum(answer = 'accepted') AS accepted, sum(answer = 'refused') AS refused,
            sum(converted_at IS NOT NULL) AS converted
       FROM offer_contact WHERE shown_at >= ? AND shown_at < ? GROUP BY rule_id ORDER BY rule_id`,
  ),
  pendingDays: db.prepare<[number], { day: string; version: number }>('SELECT day, version FROM offer_stat_outbox ORDER BY day LIMIT ?'),
  pendingCount: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM offer_stat_outbox'),
  taken: db.prepare<[string, number]>('DELETE FROM offer_stat_outbox WHERE day = ? AND version = ?'),
}));

/** The categories an accepted offer is about; empty: any purchase converts it. */
function convertingCategories(rule: OfferRule): string[] {
  if (rule.offer.kind === 'bonus_points' && 'category' in rule.offer.target) return [rule.offer.target.category];
  return rule.conditions.basket?.categories.map((c) => c.category) ?? [];
}

/** Members with an accepted offer still open to conversion at `now`: only their sales are looked at. */
export function membersAwaitingConversion(db: Db, now: number): Set<string> {
  return new Set(statements(db).membersAwaiting.all(now - CONVERSION_DAYS * DAY_MS).map((r) => r.member_id));
}

/**
 * A committed sale of the member: converts the accepted offers it answers. Returns whether any accepted offer
 * is still open (the caller stops looking at this member's sales when none is).
 */
export function recordConversions(db: Db, o: { memberId: string; categories: readonly string[]; at: number; visitMs: number; rules: ReadonlyMap<string, OfferRule> }): boolean {
  const s = statements(db);
  let still = false;
  for (const row of s.awaiting.all(o.memberId, o.at - CONVERSION_DAYS * DAY_MS, o.at)) {
    const rule = o.rules.get(row.rule_id);
    const categories = rule ? convertingCategories(rule) : [];
    const laterVisit = row.answered_at <= o.at - o.visitMs;
    if (rule && laterVisit && (categories.length === 0 || categories.some((c) => o.categories.includes(c)))) s.converted.run(o.at, row.id);
    else still = true;
  }
  return still;
}

/** One UTC day's counts, by rule. */
export function offerCountsOn(db: Db, day: string): OfferRuleCounts[] {
  const from = Date.parse(`${day}T00:00:00Z`);
  return statements(db)
    .counts.all(from, from + DAY_MS)
    .map((r) => ({ ruleId: r.rule_id, shown: r.shown, accepted: r.accepted, refused: r.refused, converted: r.converted }));
}

/** The link every exchange with HQ uses (the ledger aside), and the terminal's database. */
export type OfferStatsOutboxOptions = Omit<HqLink, 'ledger'> & { db: Db };

export type OfferStatsFlush = { ok: true; days: number } | { ok: false; code: 'unreachable' | 'timeout' | 'garbage' | 'refused' | 'bad_receipt'; message: string };

export class OfferStatsOutbox {
  constructor(private readonly o: OfferStatsOutboxOptions) {}

  pending(): number {
    return statements(this.o.db).pendingCount.get()!.n;
  }

  /** Sends the oldest changed days (up to a month's worth) and clears those HQ's signed receipt names. */
  async flush(): Promise<OfferStatsFlush> {
    const { db, enrolment, key } = this.o;
    const s = statements(db);
    const sent = s.pendingDays.all(MAX_OFFER_STAT_DAYS);
    if (sent.length === 0) return { ok: true, days: 0 };
    const days: OfferStatsDay[] = sent.map(({ day }) => ({ day, rules: offerCountsOn(db, day) }));
    const { result } = await postSigned(this.o, '/v1/offer-stats', (stamp: Stamp): OfferStatsReport => {
      const unsigned: Omit<OfferStatsReport, 'signature'> = { protocolVersion: PROTOCOL_VERSION, terminalId: enrolment.terminalId, days, ...stamp, keyId: key.keyId };
      return { ...unsigned, signature: key.sign(unsigned) };
    });
    if (result.kind === 'timeout') return { ok: false, code: 'timeout', message: 'HQ did not answer in time' };
    if (result.kind === 'unreachable') return { ok: false, code: 'unreachable', message: result.detail };
    if (result.kind === 'garbage') return { ok: false, code: 'garbage', message: result.detail };
    if (result.status !== 200) return { ok: false, code: 'refused', message: `HQ answered ${result.status}: ${JSON.stringify(result.body).slice(0, 200)}` };
    const receipt = OfferStatsReceipt.safeParse(result.body);
    if (
      !receipt.success ||
      receipt.data.keyId !== enrolment.hqKeyId ||
      !verifySigned(enrolment.hqPublicKey, receipt.data) ||
      receipt.data.terminalId !== enrolment.terminalId
    ) {
      this.o.logger.error('offer counts receipt refused; the days stay queued');
      return { ok: false, code: 'bad_receipt', message: 'the receipt is not HQ’s for this terminal' };
    }
    this.o.hqClock.observe(receipt.data.hqTime);
    const taken = new Set(receipt.data.days);
    db.transaction(() => {
      // At the version sent: a day changed while the request was out stays for the next flush.
      for (const { day, version } of sent) if (taken.has(day)) s.taken.run(day, version);
    }).immediate();
    return { ok: true, days: taken.size };
  }
}
