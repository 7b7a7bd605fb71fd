/**
 * `erasure_s` of the members benchmark (issue 17 item 3): the erasure of one
 * member applied at HQ (eraseMember: points forfeited, record, links, scores
 * and tiers gone, receipt, tombstone) and then on a terminal holding the
 * store's members and a journal of `entries` entries (the tombstone as the
 * pull applies it: every non-ledger row of theirs, cards blocked). The
 * journal is written by the ledger benchmark's bulk writer; HQ runs on
 * PGlite in memory with the member, their points and a lot. What is timed:
 * HQ's erasure, HQ reading the tombstone for the pull, the terminal applying
 * it. Not timed: the network between them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDatabase } from '../src/main/core/db/database';
import { createLedger } from '../src/main/core/ledger/ledger';
import { DEFAULT_PROGRAM } from '../src/main/core/ledger/program.default';
import { MemberStore } from '../src/main/core/members/member-store';
import { applyPrivacyItems } from '../src/main/core/privacy/erasure-pull';
import { openMemberVault } from '../src/main/core/privacy/member-vault';
import { fileVault, vaultKeyPath } from '../src/main/core/security/file-vault';
import { cryptoRandom } from '../src/main/core/crypto-random';
import { seededRandom, silentLogger, systemClock } from '../src/main/core/ports';
import { openHq } from '../src/hq/server';
import { ephemeralHqKey } from '../src/hq/keys';
import { upsertMember } from '../src/hq/members';
import { eraseMember, erasurePreview } from '../src/hq/privacy/erasure';
import { tombstonePatch } from '../src/hq/privacy/consent-sync';
import { writeBulkJournal } from './bulk-journal';

const DAY_MS = 24 * 3_600_000;
const TERMINAL_ID = 'bench-members';

export interface ErasureMeasure {
  entries: number;
  hqS: number;
  terminalS: number;
  erasureS: number;
  journalS: number;
}

export async function measureErasure(dbPath: string, o: { entries: number; seed: number }): Promise<ErasureMeasure> {
  const journalStart = process.hrtime.bigint();
  const db = openDatabase(dbPath, { checkpoints: 'auto' });
  let memberId: string;
  let cards: string[];
  let entries: number;
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -524288');
    const now = systemClock.now();
    createLedger({ db, clock: systemClock, random: seededRandom(o.seed), terminalId: TERMINAL_ID, logger: silentLogger });
    const memberIds = db.prepare('SELECT id FROM member ORDER BY id').pluck().all() as string[];
    const journal = writeBulkJournal({
      db,
      terminalId: TERMINAL_ID,
      epoch: 1,
      rules: DEFAULT_PROGRAM,
      memberIds,
      entries: o.entries,
      from: now - 330 * DAY_MS,
      to: now - DAY_MS,
      random: seededRandom(o.seed + 1),
      tillId: 'till-1',
    });
    entries = journal.entries;
    memberId = memberIds[Math.floor(memberIds.length / 2)]!;
    cards = db.prepare('SELECT card_number FROM member_card WHERE member_id = ?').pluck().all(memberId) as string[];
    // What a cashier's day leaves about them besides the journal: lookups, a consent change.
    const look = db.prepare("INSERT INTO member_lookup_log (member_id, at, by_whom, via) VALUES (?, ?, 'cashier', 'identify')");
    for (let i = 0; i < 50; i++) look.run(memberId, now - i * DAY_MS);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  } finally {
    db.close();
  }
  const journalS = Number(process.hrtime.bigint() - journalStart) / 1e9;
  console.log(`journal of ${entries} entries written in ${journalS.toFixed(1)} s`);

  const hqDir = mkdtempSync(join(tmpdir(), 'fidele-bench-erasure-hq-'));
  const ctx = await openHq({ dataDir: hqDir, inMemory: true, clock: systemClock, random: seededRandom(o.seed + 2), logger: silentLogger, key: ephemeralHqKey() });
  try {
    const now = systemClock.now();
    await upsertMember(
      ctx,
      { memberId, firstName: 'Erasure', lastName: 'Bench', email: 'erasure.bench@example.fr', phone: '+33611111111', locale: 'fr', cards, createdAt: now - 400 * DAY_MS },
      ['bench-store'],
    );
    const account = `member:${memberId}:points`;
    await ctx.sql.query(
      `INSERT INTO posting (customer_id, entry_id, leg, account, delta, kind, origin, terminal_id, epoch, seq, posted_at) VALUES
       ($1, 'bench-earn', 0, 'program:issuance', -1234, 'earn', 'terminal', $3, 1, 1, $2), ($1, 'bench-earn', 1, $4, 1234, 'earn', 'terminal', $3, 1, 1, $2)`,
      [memberId, now, TERMINAL_ID, account],
    );
    await ctx.sql.query("INSERT INTO account_balance (customer_id, account, balance) VALUES ($1, 'program:issuance', -1234), ($1, $2, 1234)", [memberId, account]);
    await ctx.sql.query("INSERT INTO lot (customer_id, lot_id, points, remaining, expires_on, expires_at, opened_at) VALUES ($1, 'bench-lot', 1234, 1234, '2099-01-01', $2, $3)", [
      memberId,
      now + 3650 * DAY_MS,
      now,
    ]);
    const since = Number((await ctx.sql.query<{ value: number }>("SELECT value FROM change_counter WHERE name = 'pull'"))[0]!.value);
    const preview = await erasurePreview(ctx, memberId);

    // The terminal as it runs: the store open, its name index warm.
    const terminalDb = openDatabase(dbPath);
    try {
      // The members key as the browser-mode terminal sealed it (its key file in the data folder), if it did.
      const vault = openMemberVault(terminalDb, fileVault({ path: vaultKeyPath(dirname(dbPath)), random: cryptoRandom }), systemClock.now());
      const store = new MemberStore(terminalDb, vault);
      store.names.warm();

      const hqStart = process.hrtime.bigint();
      await eraseMember(ctx, {
        memberId,
        cardNumber: cards[0]!,
        confirmedForfeit: preview.pointsForfeited,
        cause: 'request',
        channel: 'customer-service',
        by: { actor: 'bench', role: 'service' },
      });
      const tombstones = await ctx.sql.transaction((tx) => tombstonePatch(tx, since), { readOnly: true });
      const hqS = Number(process.hrtime.bigint() - hqStart) / 1e9;

      const terminalStart = process.hrtime.bigint();
      store.transaction(() => applyPrivacyItems(terminalDb, store, tombstones.map((t) => ({ kind: 'tombstone' as const, item: t.value })), systemClock.now()));
      const terminalS = Number(process.hrtime.bigint() - terminalStart) / 1e9;
      if (store.summary(memberId) !== null || tombstones.length !== 1) throw new Error('the erasure did not remove the member');
      console.log(`erasure of one member: HQ ${(hqS * 1000).toFixed(1)} ms, terminal with ${entries} entries ${(terminalS * 1000).toFixed(1)} ms`);
      return { entries, hqS, terminalS, erasureS: hqS + terminalS, journalS };
    } finally {
      terminalDb.close();
    }
  } finally {
    await ctx.sql.close();
    rmSync(hqDir, { recursive: true, force: true });
  }
}
