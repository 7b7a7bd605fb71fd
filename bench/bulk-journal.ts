/**
 * Fills a terminal's journal with millions of sales in a minute or two, for
 * the ledger benchmark. The real sale path (ledger.commit) costs a few hundred
 * µs a sale in zod, pricing and its own reads, hours for millions; this writes
 * what it writes for a sale (a redeem entry spending the oldest lots, an earn
 * entry opening a lot) with the ledger's own code for everything the
 * integrity check looks at: the entry layout of journal.ts, its canonical
 * encoding and hash chain (chain.ts), the postings of accounts.ts, expiry
 * dates from expiry-policy.ts. Balances and lots are kept here and written
 * once at the end. The schema's trigger that checks each entry follows the
 * head (two lookups an insert) is set aside during the load and put back as it
 * was: `ledger.start()` verifies the whole chain anyway. The indexes are kept
 * up to date entry by entry, as on a terminal:
 * built after the load they would come out packed full, and every sale
 * measured afterwards would split pages a real terminal's would not. What it
 * leaves out: the sale records (ledger_sale), so the bulk's receipt numbers
 * are not idempotency keys. `ledger.start()` must then verify it all.
 */
import type { Db } from '../src/main/core/db/database';
import { uuidv7 } from '../src/main/core/ids';
import { Accounts, creditMember, debitMember } from '../src/main/core/ledger/accounts';
import { canonicalJson, type CanonicalValue } from '../src/main/core/ledger/canonical';
import { ENTRY_SCHEMA_VERSION, entryHash, type Entry, type EntryKind, type Posting } from '../src/main/core/ledger/chain';
import { expiryFor, type Expiry } from '../src/main/core/ledger/expiry-policy';
import { ENTRY_COLUMNS } from '../src/main/core/ledger/journal';
import type { ProgramRules } from '../src/main/core/ledger/rules';
import type { Random } from '../src/main/core/ports';

export interface BulkJournalOptions {
  db: Db;
  terminalId: string;
  epoch: number;
  rules: ProgramRules;
  memberIds: readonly string[];
  /** At least this many entries. */
  entries: number;
  /** Wall-clock span of the sales (epoch ms): the first at `from`, the last before `to`. */
  from: number;
  to: number;
  random: Random;
  tillId: string;
}

export interface BulkJournal {
  entries: number;
  sales: number;
  /** Each member's spendable points once the load is done. */
  balances: Map<string, number>;
}

interface OpenLot {
  id: string;
  memberId: string;
  points: number;
  remaining: number;
  seq: number;
  expiry: Expiry;
}

const REDEEM_POINTS = 100;
const TRANSACTION_SALES = 50_000;

export function writeBulkJournal(o: BulkJournalOptions): BulkJournal {
  const { db, random, rules } = o;
  const genesis = db.prepare<[string, number], { genesis_hash: string }>('SELECT genesis_hash FROM ledger_stream WHERE terminal_id = ? AND epoch = ?').get(o.terminalId, o.epoch);
  if (!genesis) throw new Error(`open the ledger stream ${o.terminalId}/${o.epoch} first`);
  const seqBefore = (db.prepare('SELECT count(*) AS n FROM ledger_entry').get() as { n: number }).n;
  if (seqBefore !== 0) throw new Error('the bulk journal starts on an empty journal');

  const insertEntry = db.prepare(`INSERT INTO ledger_entry (${ENTRY_COLUMNS}) VALUES (${ENTRY_COLUMNS.split(', ').map(() => '?').join(', ')})`);
  const insertPosting = db.prepare('INSERT INTO ledger_posting (terminal_id, epoch, seq, leg, account, delta) VALUES (?, ?, ?, ?, ?, ?)');
  let wall = o.from;
  const clock = { now: () => wall };
  const monoBoot = uuidv7(clock, random);
  const balances = new Map<string, number>();
  const lastSeq = new Map<string, number>();
  const lots = new Map<string, OpenLot[]>();
  const allLots: OpenLot[] = [];
  const stepMs = Math.max(1, Math.floor((o.to - o.from) / Math.ceil(o.entries / 1.2)));
  let head = { seq: 0, hash: genesis.genesis_hash };
  let sales = 0;
  let expiryHour = -1;
  let expiry: Expiry | null = null;

  const uint = () => new Uint32Array(random.bytes(4).buffer as ArrayBuffer)[0]!;

  function append(kind: EntryKind, memberId: string, receipt: string, saleId: string, legs: Posting[], detail: { [key: string]: CanonicalValue }): Entry & { entry_hash: string } {
    const postings = legs.filter((p) => p.delta !== 0);
    const entry: Entry = {
      terminal_id: o.terminalId,
      epoch: o.epoch,
      seq: head.seq + 1,
      entry_id: uuidv7(clock, random),
      group_id: saleId,
      kind,
      schema_version: ENTRY_SCHEMA_VERSION,
      rules_version: rules.version,
      member_id: memberId,
      till_id: o.tillId,
      receipt,
      wall_time: wall,
      mono_time: wall - o.from,
      mono_boot: monoBoot,
      offline: false,
      postings,
      detail,
    };
    const hash = entryHash(entry, head.hash);
    insertEntry.run(
      entry.terminal_id,
      entry.epoch,
      entry.seq,
      entry.entry_id,
      entry.group_id,
      entry.kind,
      entry.schema_version,
      entry.rules_version,
      entry.member_id,
      entry.till_id,
      entry.receipt,
      entry.wall_time,
      entry.mono_time,
      entry.mono_boot,
      0,
      canonicalJson(postings.map((p) => ({ account: p.account, delta: p.delta }))),
      canonicalJson(detail),
      head.hash,
      hash,
    );
    postings.forEach((p, leg) => {
      insertPosting.run(entry.terminal_id, entry.epoch, entry.seq, leg, p.account, p.delta);
      balances.set(p.account, (balances.get(p.account) ?? 0) + p.delta);
      lastSeq.set(p.account, entry.seq);
    });
    head = { seq: entry.seq, hash };
    return { ...entry, entry_hash: hash };
  }

  /** The oldest lots first, as Lots.take does. */
  function take(memberId: string, points: number): Array<[string, number]> {
    const open = lots.get(memberId)!;
    const taken: Array<[string, number]> = [];
    let left = points;
    while (left > 0) {
      const lot = open[0]!;
      const n = Math.min(left, lot.remaining);
      lot.remaining -= n;
      left -= n;
      taken.push([lot.id, n]);
      if (lot.remaining === 0) open.shift();
    }
    return taken;
  }

  function sale(): void {
    const memberId = o.memberIds[uint() % o.memberIds.length]!;
    const account = Accounts.points(memberId);
    const balance = balances.get(account) ?? 0;
    const saleId = uuidv7(clock, random);
    const receipt = `B-${sales + 1}`;
    const netCents = 500 + (uint() % 11_500);
    // A third of the members who can spend do, 100 points (5 €) off the ticket.
    const redeem = balance >= 2 * REDEEM_POINTS && uint() % 3 === 0 ? REDEEM_POINTS : 0;
    const discountCents = redeem * rules.redemption.value.cents;
    if (redeem > 0) {
      const debit = debitMember(memberId, Accounts.redemption, redeem, balance, false);
      append('redeem', memberId, receipt, saleId, debit.legs, {
        sale_id: saleId,
        points: redeem,
        discount_cents: discountCents,
        rewards: [],
        lots: take(memberId, redeem),
      });
    }
    const paid = netCents - discountCents;
    const points = Math.floor(paid / rules.earn.perCents) * rules.earn.points;
    // Local dates change on the hour (Paris is a whole number of hours from UTC): the
    // time-zone arithmetic runs once an hour of sales, not once a sale.
    const hour = Math.floor(wall / 3_600_000);
    if (hour !== expiryHour) {
      expiry = expiryFor(rules, wall);
      expiryHour = hour;
    }
    const credit = creditMember(memberId, Accounts.issuance, points, 0);
    const earn = append('earn', memberId, receipt, saleId, credit.legs, {
      sale_id: saleId,
      points,
      net_cents: netCents,
      eligible_cents: netCents,
      paid_eligible_cents: paid,
      promotions: [],
      clawback_settled: 0,
      lot_expires_on: credit.credited > 0 ? expiry!.expiresOn : null,
    });
    if (credit.credited > 0) {
      const lot = { id: earn.entry_id, memberId, points: credit.credited, remaining: credit.credited, seq: earn.seq, expiry: expiry! };
      allLots.push(lot);
      const open = lots.get(memberId) ?? [];
      open.push(lot);
      lots.set(memberId, open);
    }
    sales++;
    wall += stepMs;
  }

  const batch = db.transaction(() => {
    for (let i = 0; i < TRANSACTION_SALES && head.seq < o.entries; i++) sale();
  });
  const trigger = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ledger_entry_follows_head'").get();
  if (trigger) db.exec('DROP TRIGGER ledger_entry_follows_head');
  try {
    while (head.seq < o.entries) batch();
  } finally {
    if (trigger) db.exec(trigger.sql);
  }

  db.transaction(() => {
    const insertBalance = db.prepare('INSERT INTO ledger_balance (account, balance, updated_seq) VALUES (?, ?, ?)');
    for (const [account, balance] of balances) insertBalance.run(account, balance, lastSeq.get(account)!);
    const insertLot = db.prepare(
      'INSERT INTO ledger_lot (lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (const l of allLots) insertLot.run(l.id, l.memberId, l.points, l.remaining, l.seq, l.expiry.expiresOn, l.expiry.expiresAt);
  })();

  const memberBalances = new Map(o.memberIds.map((id) => [id, balances.get(Accounts.points(id)) ?? 0]));
  return { entries: head.seq, sales, balances: memberBalances };
}
