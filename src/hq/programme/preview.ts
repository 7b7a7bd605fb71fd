import { z } from 'zod';
import type { Sql } from '../db';
import type { BasketPreview, MemberPreview } from '../../shared/programme/api';
import { computeEarn } from '../../main/core/ledger/rules';
import { SaleLine } from '../../shared/contract/ledger-inputs';
import { Instant, instantMs, rulesOf, type ProgrammeDocument } from '../../shared/programme/document';
import { tierBounds } from '../../shared/programme/tiers';

/**
 * What the editor shows beside a draft (issue 14 item 1): « ce panier
 * rapporterait… » with the draft's rules, exactly as a terminal would compute
 * it (the ledger's computeEarn), and « Claire serait gold »: the member's
 * place among all members ranked by the last nightly run's spend and regular
 * weeks, scored with the draft's regularity weight and cut by its shares.
 * Hysteresis is left out: it depends on runs not yet made.
 */
export const PreviewRequest = z.strictObject({
  basket: z
    .strictObject({
      lines: z.array(SaleLine).min(1).max(500),
      /** When the sale happens (promotions by day and hour); the draft's effective time by default. */
      at: Instant.optional(),
      pointsDiscountCents: z.number().int().min(0).max(100_000_000).default(0),
    })
    .optional(),
  memberId: z.string().min(1).max(64).optional(),
});
export type PreviewRequest = z.infer<typeof PreviewRequest>;

export function previewBasket(doc: ProgrammeDocument, basket: NonNullable<PreviewRequest['basket']>): BasketPreview {
  const at = instantMs(basket.at ?? doc.effectiveFrom);
  const earn = computeEarn(rulesOf(doc), basket.lines, basket.pointsDiscountCents, at);
  return { points: earn.points, eligibleCents: earn.eligibleCents, promotions: earn.promotions, at };
}

export async function previewMember(sql: Sql, doc: ProgrammeDocument, memberId: string): Promise<MemberPreview> {
  const weight = doc.tiers.regularityWeight;
  const rows = await sql.query<{ members: number; ahead: number | null; tier: string | null; spend_cents: number | null; regular_weeks: number | null }>(
    `WITH me AS (SELECT customer_id, tier, spend_cents, regular_weeks, spend_cents + $2::bigint * regular_weeks AS score FROM member_tier WHERE customer_id = $1)
     SELECT (SELECT count(*) FROM member_tier)::int AS members,
            (SELECT count(*) FROM member_tier t, me
              WHERE t.spend_cents + $2::bigint * t.regular_weeks > me.score
                 OR (t.spend_cents + $2::bigint * t.regular_weeks = me.score AND t.customer_id COLLATE "C" < me.customer_id COLLATE "C"))::int AS ahead,
            me.tier, me.spend_cents, me.regular_weeks
     FROM (SELECT 1) one LEFT JOIN me ON true`,
    [memberId, weight],
  );
  const row = rows[0]!;
  if (row.tier === null || row.spend_cents === null || row.regular_weeks === null) {
    return { memberId, tier: doc.tiers.newMemberTier, position: null, members: row.members, currentTier: null };
  }
  const position = (row.ahead ?? 0) + 1;
  const bounds = tierBounds(doc.tiers, row.members);
  const index = bounds.findIndex((b) => position <= b);
  return { memberId, tier: doc.tiers.tiers[index]!.id, position, members: row.members, currentTier: row.tier };
}
