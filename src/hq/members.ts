import type { z } from 'zod';
import type { MemberRecord } from '../shared/sync/protocol';
import { claimCards, HQ_CLAIMANT } from './card-claims';
import { nextChangeVersion, type HqContext } from './context';

export type Member = z.infer<typeof MemberRecord>;

/**
 * Master data of a member at HQ, and the stores whose terminals receive it.
 * Members a store's terminals post for are linked to that store by the
 * projector; this links them explicitly (a home store, a CRM import). A card
 * already held by another customer stays theirs (an incident says so) and is
 * left out of this record.
 */
export async function upsertMember(ctx: HqContext, record: Member, storeIds: readonly string[]): Promise<void> {
  await ctx.sql.transaction(async (tx) => {
    const version = await nextChangeVersion(tx);
    // Cards go into member_card like a terminal's enrolments, so a lookup by card stays one index probe.
    const cards = await claimCards(ctx, tx, record.memberId, record.cards, HQ_CLAIMANT);
    await tx.query(
      `INSERT INTO member (customer_id, record, change_version) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET record = EXCLUDED.record, change_version = EXCLUDED.change_version`,
      [record.memberId, JSON.stringify({ ...record, cards }), version],
    );
    for (const storeId of storeIds) {
      await tx.query('INSERT INTO member_store (customer_id, store_id, linked_version) VALUES ($1, $2, $3) ON CONFLICT (customer_id, store_id) DO NOTHING', [
        record.memberId,
        storeId,
        version,
      ]);
    }
  });
}

/** Installs the program terminals pull, as a new change when it differs. */
export async function publishProgram(ctx: HqContext, rules: { version: string }): Promise<void> {
  await ctx.sql.transaction(async (tx) => {
    const current = await tx.query<{ version: string; rules: unknown }>("SELECT version, rules FROM program WHERE program_id = 'default' FOR UPDATE");
    if (current[0] && JSON.stringify(current[0].rules) === JSON.stringify(rules)) return;
    const version = await nextChangeVersion(tx);
    await tx.query(
      `INSERT INTO program (program_id, version, rules, change_version) VALUES ('default', $1, $2, $3)
       ON CONFLICT (program_id) DO UPDATE SET version = EXCLUDED.version, rules = EXCLUDED.rules, change_version = EXCLUDED.change_version`,
      [rules.version, JSON.stringify(rules), version],
    );
  });
}
