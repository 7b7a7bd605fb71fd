import type { FastifyInstance } from 'fastify';
import { authenticateTerminal } from '../auth';
import type { HqContext } from '../context';
import type { Sql } from '../db';
import type { Guards } from '../staff/http-guard';
import { signingPayload } from '../../shared/sync/protocol';
import type { OfferStatsReceipt, OfferStatsReport } from '../../shared/sync/offer-stats';

/**
 * Offers as the terminals count them (issue 16 item 3;
 * src/main/core/offers/offer-stats.ts): a day's counts from a terminal
 * replace what HQ had for that terminal and day, so a resend after a lost
 * receipt counts nothing twice. Marketing reads them summed over the chain,
 * by rule and by day (the console's offers page).
 */
export async function recordOfferStats(ctx: HqContext, report: OfferStatsReport): Promise<OfferStatsReceipt> {
  const terminal = await authenticateTerminal(ctx, 'offer_stats', report, signingPayload(report));
  const now = ctx.clock.now();
  await ctx.sql.transaction(async (tx) => {
    for (const { day, rules } of report.days) {
      await tx.query('DELETE FROM offer_stat WHERE terminal_id = $1 AND day = $2', [terminal.terminal_id, day]);
      for (const r of rules) {
        await tx.query(
          'INSERT INTO offer_stat (terminal_id, day, rule_id, shown, accepted, refused, converted, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [terminal.terminal_id, day, r.ruleId, r.shown, r.accepted, r.refused, r.converted, now],
        );
      }
    }
  });
  const unsigned = { terminalId: terminal.terminal_id, days: report.days.map((d) => d.day), hqTime: now, keyId: ctx.key.keyId };
  return { ...unsigned, signature: ctx.key.sign(unsigned) };
}

export interface OfferRuleTotals {
  ruleId: string;
  shown: number;
  accepted: number;
  refused: number;
  converted: number;
}

export interface OfferStatsSummary {
  from: string;
  to: string;
  rules: OfferRuleTotals[];
  /** Chain-wide, per day with any contact: what the chart draws. */
  days: Array<{ day: string; shown: number; accepted: number; refused: number; converted: number }>;
}

const totals = `sum(shown)::bigint AS shown, sum(accepted)::bigint AS accepted, sum(refused)::bigint AS refused, sum(converted)::bigint AS converted`;
type TotalsRow = { shown: string | number; accepted: string | number; refused: string | number; converted: string | number };
const counts = (r: TotalsRow) => ({ shown: Number(r.shown), accepted: Number(r.accepted), refused: Number(r.refused), converted: Number(r.converted) });

/** The chain's offer counts between two UTC days, both included. */
export async function offerStatsSummary(sql: Sql, from: string, to: string): Promise<OfferStatsSummary> {
  const byRule = await sql.query<TotalsRow & { rule_id: string }>(
    `SELECT rule_id, ${totals} FROM offer_stat WHERE day >= $1 AND day <= $2 GROUP BY rule_id ORDER BY sum(shown) DESC, rule_id`,
    [from, to],
  );
  const byDay = await sql.query<TotalsRow & { day: string }>(`SELECT day, ${totals} FROM offer_stat WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day`, [from, to]);
  return { from, to, rules: byRule.map((r) => ({ ruleId: r.rule_id, ...counts(r) })), days: byDay.map((r) => ({ day: r.day, ...counts(r) })) };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** GET /v1/offers/stats?from=&to= for marketing (the last 30 days by default). */
export function registerOfferStatsRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/offers/stats', { onRequest: staff.api('aggregates', { operator: true }) }, async (request, reply) => {
    const q = request.query as { from?: unknown; to?: unknown };
    const today = new Date(ctx.clock.now()).toISOString().slice(0, 10);
    const to = q.to === undefined ? today : q.to;
    const from = q.from === undefined ? new Date(Date.parse(`${today}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10) : q.from;
    if (typeof from !== 'string' || typeof to !== 'string' || !DAY.test(from) || !DAY.test(to) || from > to) {
      return reply.code(400).send({ error: { code: 'malformed', message: 'from and to are days, YYYY-MM-DD, from ≤ to' } });
    }
    return offerStatsSummary(ctx.sql, from, to);
  });
}
