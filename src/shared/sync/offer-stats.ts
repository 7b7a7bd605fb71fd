import { z } from 'zod';
import { PROTOCOL_VERSION, Signed } from './protocol';

/**
 * What a terminal tells HQ of its offers (issue 16 item 3), by day and rule:
 * how often each was shown, accepted, refused, and later converted. Counts
 * only, never who: HQ's table and chart need no person, and a count sent again
 * replaces the one before (a day's counts are absolute), so a lost receipt
 * means a resend and nothing is counted twice.
 */
export const MAX_OFFER_STAT_DAYS = 31;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Count = z.number().int().nonnegative().max(10_000_000);

export const OfferRuleCounts = z.strictObject({
  ruleId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/),
  shown: Count,
  accepted: Count,
  refused: Count,
  converted: Count,
});
export type OfferRuleCounts = z.infer<typeof OfferRuleCounts>;

export const OfferStatsDay = z.strictObject({ day: Day, rules: z.array(OfferRuleCounts).max(500) });
export type OfferStatsDay = z.infer<typeof OfferStatsDay>;

export const OfferStatsReport = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  days: z.array(OfferStatsDay).min(1).max(MAX_OFFER_STAT_DAYS),
  sentAt: z.number().int().nonnegative(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  ...Signed,
});
export type OfferStatsReport = z.infer<typeof OfferStatsReport>;

/** HQ took these days' counts: signed, so a forged answer cannot clear the terminal's outbox. */
export const OfferStatsReceipt = z.strictObject({
  terminalId: z.string(),
  days: z.array(Day).max(MAX_OFFER_STAT_DAYS),
  hqTime: z.number().int().nonnegative(),
  ...Signed,
});
export type OfferStatsReceipt = z.infer<typeof OfferStatsReceipt>;
