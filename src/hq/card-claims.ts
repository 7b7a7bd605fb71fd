import type { HqContext } from './context';
import type { Sql } from './db';
import { raiseSyncAnomaly } from './sync-anomalies';

/** Who claims for an import from the CRM rather than a terminal. */
export const HQ_CLAIMANT = 'hq';

/**
 * Claims card numbers for a customer in member_card, the index every card
 * lookup reads. The first customer to claim a number keeps it; a later claim
 * by someone else is a `card_conflict` incident for an operator to settle,
 * never a silent transfer. Returns the cards this customer holds.
 */
export async function claimCards(
  ctx: HqContext,
  tx: Sql,
  customerId: string,
  cards: readonly string[],
  claimant: string,
  detail: Record<string, unknown> = {},
): Promise<string[]> {
  const now = ctx.clock.now();
  const owned: string[] = [];
  for (const card of cards) {
    await tx.query('INSERT INTO member_card (card_number, customer_id, terminal_id, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (card_number) DO NOTHING', [
      card,
      customerId,
      claimant,
      now,
    ]);
    const holder = await tx.query<{ customer_id: string }>('SELECT customer_id FROM member_card WHERE card_number = $1', [card]);
    if (holder[0]!.customer_id === customerId) {
      owned.push(card);
      continue;
    }
    await raiseSyncAnomaly(tx, { customerId, anomalyId: `card_conflict:${card}`, terminalId: claimant, kind: 'card_conflict', detail: { card, ...detail }, at: now });
  }
  return owned;
}
