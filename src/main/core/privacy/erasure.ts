import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import type { NameIndex } from '../members/name-index';

/**
 * Removing a person from this terminal (issue 17 items 3 and 4): HQ's
 * tombstone (`erased`) or this terminal's own retention (`unseen`).
 *
 * Every row about the member outside the ledger goes: the member row (sealed
 * names, hashed and masked contact), cards, consents, NFC tags, lookups,
 * incidents and their notes, hints, habits, tiers, vouchers, bookings, HQ's
 * items about them, stored identify answers… found by their `member_id`
 * column, so a table another feature adds later is covered without a change
 * here. The ledger's tables (ledger_*) are not touched: its entries name the
 * member by id only, a pseudonym once the rest is gone, so the chain and
 * every sum still verify (src/hq/privacy/erasure.ts explains the design).
 *
 * An erasure also blocks the cards (member_card_blocked: a scan is refused,
 * never turned into a provisional member) and remembers the id
 * (member_erased). Run inside the caller's transaction, through
 * `members.transaction` when the store's name index is given, so a failure
 * leaves everything as it was and the index is rebuilt.
 */
export type PurgeCause = 'erased' | 'unseen';

/** Columns that name a member in tables outside the ledger (social_referral names the referee so). */
const MEMBER_COLUMNS = ['member_id', 'referee_id'] as const;
/** Handled by name below, or kept: the member row last; the erased ids are what remains. */
const NOT_GENERIC = new Set(['member', 'member_erased']);

const tablesOf = new WeakMap<Db, Array<{ table: string; column: string }>>();

function memberTables(db: Db): Array<{ table: string; column: string }> {
  let list = tablesOf.get(db);
  if (!list) {
    list = [];
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'ledger\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .all();
    for (const { name } of tables) {
      if (NOT_GENERIC.has(name)) continue;
      const columns = new Set(db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${name}')`).all().map((c) => c.name));
      for (const column of MEMBER_COLUMNS) if (columns.has(column)) list.push({ table: name, column });
    }
    // Tables pointing at member_card or member by foreign key last, their parents after them.
    const last = ['member_consent', 'member_search_token', 'member_outbox', 'member_provisional', 'member_card'];
    list.sort((a, b) => last.indexOf(a.table) - last.indexOf(b.table));
    tablesOf.set(db, list);
  }
  return list;
}

export interface PurgeOutcome {
  memberId: string;
  /** Whether a member row was here. */
  removed: boolean;
  cardsBlocked: number;
}

/** Removes one member's personal data here. Not a transaction by itself: call inside `members.transaction`. */
export function purgeMember(db: Db, names: Pick<NameIndex, 'remove'> | null, memberId: string, o: { cause: PurgeCause; now: number; cards?: readonly string[] }): PurgeOutcome {
  const cards = db.prepare<[string], { card_number: string }>('SELECT card_number FROM member_card WHERE member_id = ?').all(memberId).map((c) => c.card_number);
  for (const card of cards) db.prepare('DELETE FROM member_nfc_tag WHERE card_number = ?').run(card);
  db.prepare('DELETE FROM incident_note WHERE incident_id IN (SELECT incident_id FROM incident WHERE member_id = ?)').run(memberId);
  // HQ's items about them (relationship:<id>, value:<id>, tier:<id>…): their triggers mark the member stale, deleted next.
  db.prepare("DELETE FROM sync_bucket_item WHERE bucket = 'store' AND substr(key, -length(?) - 1) = ':' || ?").run(memberId, memberId);
  // A till's identify answer names the member (kept up to a day, retention.ts): gone now.
  db.prepare("DELETE FROM till_request WHERE json_valid(response) AND json_extract(response, '$.member.id') = ?").run(memberId);
  for (const { table, column } of memberTables(db)) db.prepare(`DELETE FROM ${table} WHERE ${column} = ?`).run(memberId);
  const removed = db.prepare('DELETE FROM member WHERE id = ?').run(memberId).changes > 0;
  // The names in memory (the store's index); without it, searches still find no row for them (member-search.ts).
  names?.remove(memberId);
  let cardsBlocked = 0;
  if (o.cause === 'erased') {
    db.prepare('INSERT OR IGNORE INTO member_erased (member_id, erased_at) VALUES (?, ?)').run(memberId, o.now);
    const block = db.prepare('INSERT OR IGNORE INTO member_card_blocked (card_number, blocked_at) VALUES (?, ?)');
    for (const card of new Set([...cards, ...(o.cards ?? [])])) cardsBlocked += block.run(card, o.now).changes;
  }
  return { memberId, removed, cardsBlocked };
}

const blockedStatements = new WeakMap<Db, Statement<[string], { one: number }>>();

/** Whether HQ erased this card's holder: a scan of it is refused. On the scan path: one prepared probe. */
export function isBlockedCard(db: Db, cardNumber: string): boolean {
  let probe = blockedStatements.get(db);
  if (!probe) blockedStatements.set(db, (probe = db.prepare('SELECT 1 AS one FROM member_card_blocked WHERE card_number = ?')));
  return probe.get(cardNumber) !== undefined;
}

/** Whether this member was erased here (their id is a pseudonym now). */
export function isErasedMember(db: Db, memberId: string): boolean {
  return db.prepare<[string], { one: number }>('SELECT 1 AS one FROM member_erased WHERE member_id = ?').get(memberId) !== undefined;
}
