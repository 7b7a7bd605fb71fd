import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/main/core/db/database';
import { createCore, type Core } from '../../src/main/core/core';
import { Accounts } from '../../src/main/core/ledger/accounts';
import { canonicalJson } from '../../src/main/core/ledger/canonical';
import { entryHash } from '../../src/main/core/ledger/chain';
import { ENTRY_COLUMNS, rowToEntry, type EntryRow } from '../../src/main/core/ledger/journal';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import type { TerminalInfo } from '../../src/shared/contract';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { translate } from '../../src/shared/i18n/messages';
import { insertKnownMembers, testConfig } from '../fakes/known-members';
import { line, openHarness, refusal, sale, WEDNESDAY_10H, type Harness } from './ledger-fixture';

/**
 * Section 3, item 17 (local part) of the sync-ledger reference: a journal
 * edited, cut, padded or shuffled in the SQLite file (triggers dropped first,
 * as anyone with the sqlite3 shell would) is caught at start, and from then on
 * the ledger writes nothing — no sale, no refund, not even the offline marker —
 * while balances can still be read.
 */

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => h.close());

const ref = (receipt: string) => ({ tillId: 'till-1', receipt });

/** Five entries: an earn, a sale that redeems (redeem + earn), an adjustment, another member's earn. */
function activity(): void {
  const { claire, zoe } = h.members;
  h.ledger.commit(sale(claire.id, 'R-1', [line(24000)]));
  h.ledger.commit(sale(claire.id, 'R-2', [line(6000)], 100));
  h.ledger.adjust({ adjustmentId: 'A-1', memberId: claire.id, points: 20, reason: 'Carte oubliée', actor: 'caissier-7' });
  h.ledger.commit(sale(zoe.id, 'R-3', [line(1800)]));
}

/** What someone with the sqlite3 shell does first: the append-only triggers and the foreign keys refuse the edits. */
function unguard(db: Db): void {
  for (const { name } of db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger'").all()) db.exec(`DROP TRIGGER "${name}"`);
  db.pragma('foreign_keys = OFF');
}

const entryRows = (db: Db) => db.prepare<[], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ledger_entry ORDER BY seq`).all();

const TAMPERS: Array<[string, (db: Db) => void, string]> = [
  ['an edited entry', (db) => db.prepare("UPDATE ledger_entry SET detail = json_set(detail, '$.points', 9999) WHERE seq = 1").run(), 'hash_mismatch'],
  [
    'a deleted entry in the middle',
    (db) => {
      db.prepare('DELETE FROM ledger_posting WHERE seq = 4').run();
      db.prepare('DELETE FROM ledger_entry WHERE seq = 4').run();
    },
    'seq_gap',
  ],
  [
    'the newest entry deleted (the chain itself stays whole)',
    (db) => {
      db.prepare('DELETE FROM ledger_posting WHERE seq = 5').run();
      db.prepare('DELETE FROM ledger_entry WHERE seq = 5').run();
    },
    'balance_mismatch',
  ],
  [
    'an inserted entry with a correct hash',
    (db) => {
      // 5,000 points for Claire, chained on the head with a recomputed hash: only the projections give it away.
      const head = rowToEntry(entryRows(db).at(-1)!);
      // Names are sealed in the file (issue 17): Claire is the holder of the first known card.
      const claire = db.prepare<[], { id: string }>("SELECT member_id AS id FROM member_card WHERE card_number = '" + makeCardNumber(9990, 1) + "'").get()!.id;
      const postings = [
        { account: Accounts.points(claire), delta: 5000 },
        { account: Accounts.issuance, delta: -5000 },
      ];
      const forged = { ...head, seq: head.seq + 1, entry_id: '01900000-0000-7000-8000-000000000001', group_id: 'forged', kind: 'adjust' as const, member_id: claire, postings, detail: { reason: 'cadeau' } };
      const hash = entryHash(forged, head.entry_hash);
      db.prepare(`INSERT INTO ledger_entry (${ENTRY_COLUMNS}) VALUES (${ENTRY_COLUMNS.split(', ').map((c) => '@' + c).join(', ')})`).run({
        ...forged,
        offline: 0,
        postings: canonicalJson(postings),
        detail: canonicalJson(forged.detail),
        prev_hash: head.entry_hash,
        entry_hash: hash,
      });
      postings.forEach((p, leg) => db.prepare('INSERT INTO ledger_posting (terminal_id, epoch, seq, leg, account, delta) VALUES (?, ?, ?, ?, ?, ?)').run(head.terminal_id, head.epoch, forged.seq, leg, p.account, p.delta));
    },
    'balance_mismatch',
  ],
  [
    'two entries swapped',
    (db) => {
      for (const table of ['ledger_entry', 'ledger_posting']) {
        db.prepare(`UPDATE ${table} SET seq = 1000 WHERE seq = 2`).run();
        db.prepare(`UPDATE ${table} SET seq = 2 WHERE seq = 3`).run();
        db.prepare(`UPDATE ${table} SET seq = 3 WHERE seq = 1000`).run();
      }
    },
    'prev_hash',
  ],
  ['the stream and its genesis deleted', (db) => db.prepare('DELETE FROM ledger_stream').run(), 'missing_genesis'],
];

describe('a journal tampered with in the SQLite file', () => {
  it.each(TAMPERS)('%s: caught at start, every write refused, nothing written, reads still work', async (_name, tamper, kind) => {
    activity();
    const { claire, zoe } = h.members;
    const ackable = entryRows(h.db)[0]!;
    unguard(h.db);
    tamper(h.db);
    const tampered = h.snapshot();

    // A restart: the new run must not write before its verdict (not even to re-open the stream).
    h.reopen();
    expect(h.ledger.integrity().state).toBe('unverified');
    const report = await h.ledger.start();
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.kind)).toContain(kind);
    expect(h.ledger.integrity()).toMatchObject({ state: 'damaged', problemCount: report.problems.length + report.moreProblems });
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/^loyalty writes suspended/) }));

    const writes: Array<[string, () => unknown]> = [
      ['commit', () => h.ledger.commit(sale(zoe.id, 'R-10', [line(1200)]))],
      ['hold', () => h.ledger.hold({ ...ref('R-11'), memberId: claire.id, redeemPoints: 100 })],
      ['void', () => h.ledger.void(ref('R-11'))],
      ['refund', () => h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: 'all' })],
      ['adjust', () => h.ledger.adjust({ adjustmentId: 'A-2', memberId: claire.id, points: 10, reason: 'Geste commercial', actor: 'caissier-7' })],
      ['expiry', () => h.ledger.runExpiry(WEDNESDAY_10H + 3 * 365 * 86_400_000)],
      ['offline marker', () => h.ledger.setOffline(true)],
      ['outbox', () => h.ledger.outbox(10)],
      ['ack', () => h.ledger.recordAck({ throughSeq: 1, hash: ackable.entry_hash, hqReceipt: 'hq-1' })],
    ];
    for (const [operation, write] of writes) {
      const failure = refusal(write, 'ledger_damaged');
      expect(failure.message, operation).toMatch(/failed its check at start/);
      expect(failure.issues).toEqual([{ path: '', message: 'ledger.damaged' }]);
    }

    // Reads answer from what is there.
    expect(h.ledger.points(claire.id).balance).toBeTypeOf('number');
    expect(h.ledger.history(claire.id).length).toBeGreaterThan(0);
    expect(Array.isArray(h.ledger.expiring(claire.id))).toBe(true);
    expect(h.ledger.preview({ ...sale(zoe.id, 'R-12', [line(1200)]), payments: null }).pointsEarned).toBeGreaterThan(0);
    expect(h.ledger.zReport().day).toBe('2026-11-18');
    expect(h.ledger.connectivity().offline).toBe(false);
    expect(h.ledger.verifyChain().ok).toBe(false);

    expect(h.snapshot()).toBe(tampered);
  });

  it('stays refused for the whole run, even if a later check were to pass', async () => {
    activity();
    unguard(h.db);
    TAMPERS[0]![1](h.db);
    h.reopen();
    await h.ledger.start();
    await h.ledger.start();
    expect(h.ledger.integrity().state).toBe('damaged');
    refusal(() => h.ledger.commit(sale(h.members.zoe.id, 'R-10', [line(1200)])), 'ledger_damaged');
  });
});

describe('a sound journal', () => {
  it('is verified at start, then written to as usual', async () => {
    activity();
    h.reopen();
    const before = h.snapshot();
    expect(h.ledger.integrity().state).toBe('unverified');
    // Re-opening an existing stream writes nothing before the verdict.
    expect(h.snapshot()).toBe(before);
    const report = await h.ledger.start();
    expect(report.ok).toBe(true);
    expect(h.ledger.integrity()).toMatchObject({ state: 'verified', problemCount: 0, checkedAt: WEDNESDAY_10H });
    expect(h.ledger.commit(sale(h.members.zoe.id, 'R-10', [line(1200)])).pointsEarned).toBe(10);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('refuses writes while the check at start runs, and takes them once it is done', async () => {
    activity();
    h.reopen();
    const started = h.ledger.start();
    expect(h.ledger.integrity().state).toBe('verifying');
    const waiting = refusal(() => h.ledger.commit(sale(h.members.zoe.id, 'R-X', [line(1200)])), 'unavailable');
    expect(waiting.issues).toEqual([{ path: '', message: 'ledger.verifying' }]);
    expect((await started).ok).toBe(true);
    expect(h.ledger.commit(sale(h.members.zoe.id, 'R-X', [line(1200)])).pointsEarned).toBe(10);
  });
});

describe('what the cashier sees', () => {
  let dir: string;
  let core: Core | null = null;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-integrity-'));
  });

  afterEach(async () => {
    await core?.close();
    core = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const logs: Array<{ level: string; message: string }> = [];
  const logger: Logger = {
    info: (message) => logs.push({ level: 'info', message }),
    warn: (message) => logs.push({ level: 'warn', message }),
    error: (message) => logs.push({ level: 'error', message }),
  };
  const open = () =>
    createCore({ dbPath: join(dir, 'terminal.sqlite'), config: testConfig(), shell: 'browser', clock: { now: () => WEDNESDAY_10H }, random: seededRandom(5), logger, validateOutput: true });
  const manualSale = (memberId: string) => ({ memberId, lines: [{ category: 'grocery', amountCents: 4_250, taxRateBp: 550 }] });

  it('terminal.info says the journal is damaged, and a sale is refused with a message to translate', async () => {
    core = open();
    await core.start();
    const known = insertKnownMembers(core.members);
    expect(((await core.dispatch('cashier', 'terminal.info', {})) as { value: TerminalInfo }).value.ledger).toEqual({ state: 'verified', problems: 0 });
    expect((await core.dispatch('cashier', 'ledger.manualCommit', manualSale(known.claire.id))).ok).toBe(true);
    await core.close();
    core = null;

    const raw = new Database(join(dir, 'terminal.sqlite'));
    unguard(raw);
    raw.prepare('UPDATE ledger_entry SET member_id = ? WHERE seq = 1').run(known.zoe.id);
    raw.close();

    core = open();
    await core.start();
    for (const role of ['cashier', 'customer'] as const) {
      const info = await core.dispatch(role, 'terminal.info', {});
      expect(info).toMatchObject({ ok: true, value: { ledger: { state: 'damaged', problems: expect.any(Number) } } });
    }
    const refused = await core.dispatch('cashier', 'ledger.manualCommit', manualSale(known.claire.id));
    expect(refused).toMatchObject({ ok: false, error: { code: 'ledger_damaged' } });
    // The balance can still be shown.
    expect(await core.dispatch('cashier', 'ledger.account', { memberId: known.zoe.id })).toMatchObject({ ok: true });
    expect(translate('fr', 'error.ledger_damaged')).toBe('Journal des points altéré : fidélité suspendue, appelez le support.');
    expect(translate('en', 'error.ledger_damaged')).toBe('Points journal damaged: loyalty suspended, call support.');
    expect(translate('fr', 'cashier.ledger.damaged')).toMatch(/^Journal des points altéré/);
    // The hourly expiry was refused too, and said so.
    expect(logs).toContainEqual({ level: 'error', message: 'points expiry failed' });
    expect(core.db.prepare('SELECT count(*) AS n FROM ledger_entry').get()).toEqual({ n: 1 });
  });
});
