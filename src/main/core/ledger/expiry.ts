import { sha256Hex } from './canonical';
import { Accounts, debitMember } from './accounts';
import type { LedgerContext } from './context';
import type { EntryRef } from './sale';

/**
 * The id of the entry that expires `lotId` on `expiresOn`: derived, not drawn,
 * so the same lot can never be expired by two entries (the journal's unique
 * entry_id refuses a second one) however often, or wherever, expiry runs.
 * Formatted as an RFC 9562 UUIDv8 (custom) from SHA-256.
 */
export function expiryEntryId(lotId: string, expiresOn: string): string {
  const hex = sha256Hex(`fidele/expire/v1\n${lotId}\n${expiresOn}`).slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface ExpiryRun {
  lots: number;
  points: number;
  entries: EntryRef[];
}

/**
 * Expires every lot whose validity ended at or before `now`, one entry per
 * lot, in batches of `batchSize` lots per transaction. Running it again finds
 * nothing left to expire.
 */
export function runExpiry(ctx: LedgerContext, now: number, batchSize = 500): ExpiryRun {
  const run: ExpiryRun = { lots: 0, points: 0, entries: [] };
  for (;;) {
    const done = ctx.write(() => {
      const due = ctx.lots.due(now, batchSize);
      let stuck = false;
      for (const lot of due) {
        const entryId = expiryEntryId(lot.lot_id, lot.expires_on);
        if (ctx.journal.entryById(entryId)) {
          // Already expired by this id: the lot projection disagrees with the journal; verification reports it.
          ctx.logger.error('lot already expired in the journal', { lotId: lot.lot_id, entryId });
          stuck = true;
          continue;
        }
        const balance = ctx.journal.balance(Accounts.points(lot.member_id));
        const debit = debitMember(lot.member_id, Accounts.expired, lot.remaining, balance, false);
        const entry = ctx.journal.append({
          kind: 'expire',
          entryId,
          groupId: entryId,
          memberId: lot.member_id,
          tillId: null,
          receipt: null,
          postings: debit.legs,
          detail: { lot_id: lot.lot_id, expires_on: lot.expires_on, points: lot.remaining },
        });
        ctx.lots.takeWhole(lot);
        run.lots += 1;
        run.points += lot.remaining;
        run.entries.push({ seq: entry.seq, entryId: entry.entryId, kind: entry.kind, entryHash: entry.entryHash });
      }
      // A stuck lot would come back in every batch: stop rather than loop.
      return due.length < batchSize || stuck;
    });
    if (done) return run;
  }
}
