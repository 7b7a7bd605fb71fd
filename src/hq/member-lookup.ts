import { checkCardNumber } from '../shared/domain/card-number';
import { signingPayload, type CardLookupAnswer, type CardLookupRequest } from '../shared/sync/protocol';
import { authenticateTerminal, type TerminalRow } from './auth';
import { audit, HqError, newId, nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';

/**
 * POST /v1/members/lookup: a terminal was shown a card it does not know — a
 * customer of another store — while HQ is reachable. HQ finds the card's
 * holder and links them to the asking terminal's store (member_store, with a
 * new linked_version), so that terminal's next pull carries the member and
 * their chain-wide balance; the signed answer only names the member id.
 *
 * Privacy. A lookup that finds someone sends their record (names, contact)
 * to every terminal of the asking store, so a terminal could enumerate card
 * numbers to harvest members. What bounds that:
 *  - only enrolled, non-revoked terminals with their enrolled key are
 *    answered (authenticateTerminal); anything else is refused and audited;
 *  - every lookup is written to the audit log with its terminal and what it
 *    found, in the same transaction as the link, so the fleet view shows who
 *    asked how often and an operator can revoke the terminal. The audit log is
 *    read by IT, not by customer service: it names a card by its last four
 *    digits only, and never the member it belongs to (maskCard);
 *  - at most `perHour` answered lookups per terminal per hour (HQ's clock);
 *    past it, 429 `too_many_lookups` (audited) until the hour slides on.
 *    Refusals do not count, so forged requests in a terminal's name cannot
 *    use up its quota.
 */
export const LOOKUP_ACTION = 'member_lookup';
export const DEFAULT_LOOKUPS_PER_HOUR = 600;
const HOUR_MS = 3_600_000;

export interface LookupLimits {
  perHour: number;
}

/** The member holding the card (its claim in member_card), or null. Provisional members (no record) are nobody. */
async function holderOf(tx: Sql, cardNumber: string): Promise<string | null> {
  const claimed = await tx.query<{ customer_id: string }>(
    'SELECT c.customer_id FROM member_card c JOIN member m ON m.customer_id = c.customer_id WHERE c.card_number = $1 AND m.record IS NOT NULL',
    [cardNumber],
  );
  return claimed[0]?.customer_id ?? null;
}

/** A lookup is not a refusal: written straight to the audit table, without audit()'s refusal warning. */
async function logLookup(ctx: HqContext, tx: Sql, terminal: TerminalRow, code: string, message: string, detail: Record<string, unknown>): Promise<void> {
  await tx.query('INSERT INTO audit (terminal_id, audit_id, at, action, code, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    terminal.terminal_id,
    newId(ctx),
    ctx.clock.now(),
    LOOKUP_ACTION,
    code,
    message.slice(0, 500),
    JSON.stringify(detail),
  ]);
}

/** A card as the audit log may name it: its last four digits. */
export function maskCard(cardNumber: string): string {
  return `…${cardNumber.slice(-4)}`;
}

async function answeredInLastHour(ctx: HqContext, terminalId: string): Promise<number> {
  const rows = await ctx.sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit WHERE terminal_id = $1 AND action = $2 AND code IN ('found', 'not_found') AND at > $3`,
    [terminalId, LOOKUP_ACTION, ctx.clock.now() - HOUR_MS],
  );
  return rows[0]!.n;
}

export async function lookupCard(ctx: HqContext, request: CardLookupRequest, limits: LookupLimits = { perHour: DEFAULT_LOOKUPS_PER_HOUR }): Promise<CardLookupAnswer> {
  const terminal = await authenticateTerminal(ctx, LOOKUP_ACTION, request, signingPayload(request));
  const check = checkCardNumber(request.cardNumber);
  // The compact form only: the answer names the card exactly as asked, and the terminal compares them.
  if (!check.ok || check.cardNumber !== request.cardNumber) {
    const error = new HqError('invalid_card', 400, `not a card number (${check.ok ? 'not compact' : check.problem})`);
    await audit(ctx, ctx.sql, { terminalId: terminal.terminal_id, action: LOOKUP_ACTION, code: error.code, message: error.message });
    throw error;
  }
  if ((await answeredInLastHour(ctx, terminal.terminal_id)) >= limits.perHour) {
    const error = new HqError('too_many_lookups', 429, `more than ${limits.perHour} card lookups in an hour from ${terminal.terminal_id}`);
    await audit(ctx, ctx.sql, { terminalId: terminal.terminal_id, action: LOOKUP_ACTION, code: error.code, message: error.message, detail: { card: maskCard(check.cardNumber) } });
    throw error;
  }

  const memberId = await ctx.sql.transaction(async (tx) => {
    const holder = await holderOf(tx, check.cardNumber);
    if (holder === null) {
      await logLookup(ctx, tx, terminal, 'not_found', `card ${maskCard(check.cardNumber)} unknown`, { card: maskCard(check.cardNumber) });
      return null;
    }
    // Bumped even when already linked: the terminal asks because it lacks the member, so its next pull must carry it
    // whatever its cookie says; linked_version is what pull.ts compares, the member's change_version may be far older.
    const version = await nextChangeVersion(tx);
    await tx.query(
      `INSERT INTO member_store (customer_id, store_id, linked_version) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id, store_id) DO UPDATE SET linked_version = EXCLUDED.linked_version`,
      [holder, terminal.store_id, version],
    );
    await logLookup(ctx, tx, terminal, 'found', `card ${maskCard(check.cardNumber)}: its member linked to store ${terminal.store_id}`, {
      card: maskCard(check.cardNumber),
      storeId: terminal.store_id,
      linkedVersion: version,
    });
    return holder;
  });

  const unsigned = { cardNumber: check.cardNumber, found: memberId !== null, memberId, hqTime: ctx.clock.now(), keyId: ctx.key.keyId };
  return { ...unsigned, signature: ctx.key.sign(unsigned) };
}
