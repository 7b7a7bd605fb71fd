import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { EventBus } from '../../src/main/core/events';
import { Loyalty } from '../../src/main/core/loyalty';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import { RegularityBook } from '../../src/main/core/regularity/regularity-book';
import { regularitySettings } from '../../src/main/core/regularity/programme-regularity';
import { insertKnownMembers, type KnownMembers } from '../fakes/known-members';
import { line, sale, WEDNESDAY_10H } from './ledger-fixture';

/**
 * Issue 14 item 5 at the terminal: the streak bonus credited with the sale
 * that completes four weeks in a row, in its earn entry, once — across
 * replays, later tickets of the week, restarts and refunds.
 */

const WEEK = 7 * 86_400_000;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Terminal {
  db: Db;
  ledger: Ledger;
  book: RegularityBook;
}

let dir: string;
let clock: { value: number };
let runs = 0;
let members: KnownMembers;
let store: MemberStore;
let t: Terminal;

/** A terminal as core.ts builds it: the book reads the journal through the ledger. */
function open(): Terminal {
  const db = openDatabase(join(dir, 'terminal.sqlite'));
  const book: RegularityBook = new RegularityBook({ settingsFor: regularitySettings(db), history: (memberId, limit) => ledger.history(memberId, limit) });
  const ledger = createLedger({ db, clock: { now: () => clock.value }, random: seededRandom(7 + runs++), monotonic: { now: () => 1_000 }, terminalId: 'test-t1', logger: quiet, regularity: book });
  return { db, ledger, book };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-regularity-'));
  clock = { value: WEDNESDAY_10H };
  t = open();
  store = new MemberStore(t.db);
  members = insertKnownMembers(store);
});

afterEach(() => {
  if (t.db.open) t.db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 12.00 € of groceries at 20 % VAT: 10 points, over the default 10 € minimum basket. */
const basket = (receipt: string, cents = 1200) => sale(members.claire.id, receipt, [line(cents)]);
const weekly = (weeks: number) => {
  const results = [];
  for (let w = 0; w < weeks; w++) {
    clock.value = WEDNESDAY_10H + w * WEEK;
    results.push(t.ledger.commit(basket(`W${w}`)));
  }
  return results;
};
const claire = () => t.ledger.points(members.claire.id).balance;
const view = () => t.book.view(members.claire.id, clock.value, t.ledger.rules)!;

describe('streak bonus at the terminal', () => {
  it('credits the bonus with the sale that completes four weeks in a row, recorded in its earn entry', () => {
    const results = weekly(4);
    expect(results.map((r) => r.pointsEarned)).toEqual([10, 10, 10, 30]);
    expect(results.map((r) => r.regularity?.bonusPoints)).toEqual([0, 0, 0, 20]);
    expect(claire()).toBe(60);
    const earn = t.ledger.history(members.claire.id, 1)[0]!;
    expect(earn.kind).toBe('earn');
    expect(earn.detail).toMatchObject({ points: 30, regularity: { streak: 4, bonus_points: 20, basket_cents: 1200, minimum_cents: 1000 } });
    expect(earn.postings.find((p) => p.account === `member:${members.claire.id}:points`)?.delta).toBe(30);
    expect(view()).toMatchObject({ streak: 4, weeksWithVisit: 4, visitedThisWeek: true, nextBonus: { inWeeks: 4, points: 20 } });
    expect(t.ledger.verifyChain().ok).toBe(true);
  });

  it('grants it once: not again for a replay, another ticket that week, nor after a restart', () => {
    weekly(3);
    clock.value = WEDNESDAY_10H + 3 * WEEK;
    const input = basket('W3');
    const fourth = t.ledger.commit(input);
    expect(fourth.regularity?.bonusPoints).toBe(20);
    const entries = t.ledger.history(members.claire.id, 100).length;
    expect(t.ledger.commit(input)).toEqual(fourth);
    expect(t.ledger.history(members.claire.id, 100)).toHaveLength(entries);
    expect(t.ledger.commit(basket('W3-bis')).pointsEarned).toBe(10);
    t.db.close();
    t = open();
    clock.value += 3_600_000;
    expect(t.ledger.commit(basket('W3-ter')).regularity?.bonusPoints).toBe(0);
    expect(t.ledger.preview(basket('W3-quater')).pointsEarned).toBe(10);
    // The streak goes on from the journal: four more weeks, the next bonus.
    const next = [4, 5, 6, 7].map((w) => {
      clock.value = WEDNESDAY_10H + w * WEEK;
      return t.ledger.commit(basket(`W${w}`)).regularity?.bonusPoints;
    });
    expect(next).toEqual([0, 0, 0, 20]);
  });

  it('shows the bonus in the preview of the sale that would complete the streak', () => {
    weekly(3);
    clock.value = WEDNESDAY_10H + 3 * WEEK;
    expect(t.ledger.preview(basket('P')).pointsEarned).toBe(30);
    expect(t.ledger.preview(basket('P', 900)).pointsEarned).toBe(7);
  });

  it('a basket split into tickets under the minimum is no visit: no streak, no bonus', () => {
    for (let w = 0; w < 4; w++) {
      for (const part of ['a', 'b']) {
        clock.value = WEDNESDAY_10H + w * WEEK + (part === 'a' ? 0 : 60_000);
        expect(t.ledger.commit(basket(`W${w}${part}`, 600)).regularity).toBeUndefined();
      }
    }
    expect(view()).toMatchObject({ streak: 0, weeksWithVisit: 0 });
    const earn = t.ledger.history(members.claire.id, 1)[0]!;
    expect(earn.detail.regularity).toBeUndefined();
  });

  it('a refund that takes the bonus sale under the minimum takes the bonus back with its points, once', () => {
    weekly(4);
    const refund = t.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'W3' }, lines: 'all' });
    expect(refund).toMatchObject({ pointsReversed: 30, regularity: { bonusReversed: 20 } });
    expect(claire()).toBe(30);
    expect(t.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'W3' }, lines: 'all' })).toEqual(refund);
    expect(claire()).toBe(30);
    expect(t.ledger.history(members.claire.id, 1)[0]!.detail).toMatchObject({ points: 30, regularity: { bonus_reversed: 20 } });
    // The week no longer counts: the streak stands at three, and a real visit this week completes it again.
    expect(view()).toMatchObject({ streak: 3, visitedThisWeek: false, nextBonus: { inWeeks: 1 } });
    t.db.close();
    t = open();
    expect(view()).toMatchObject({ streak: 3, visitedThisWeek: false });
    expect(t.ledger.commit(basket('W3-again')).regularity?.bonusPoints).toBe(20);
  });

  it('a partial refund that leaves the minimum changes nothing; the one that goes under takes the bonus back once', () => {
    weekly(3);
    clock.value = WEDNESDAY_10H + 3 * WEEK;
    const lines = [line(1200, { lineId: 'A' }), line(600, { lineId: 'B' }), line(600, { lineId: 'C' })];
    expect(t.ledger.commit(sale(members.claire.id, 'BIG', lines)).regularity?.bonusPoints).toBe(20);
    const ref = { tillId: 'till-1', receipt: 'BIG' };
    expect(t.ledger.refund({ refundId: 'F-1', sale: ref, lines: [{ lineId: 'B', quantity: 1 }] }).regularity).toBeUndefined();
    expect(view().streak).toBe(4);
    const under = t.ledger.refund({ refundId: 'F-2', sale: ref, lines: [{ lineId: 'A', quantity: 1 }] });
    expect(under.regularity).toEqual({ saleId: expect.any(String), week: expect.any(Number), bonusReversed: 20 });
    expect(t.ledger.refund({ refundId: 'F-3', sale: ref, lines: 'all' }).regularity).toBeUndefined();
    expect(claire()).toBe(30);
  });

  it('the lines a till prints under its ticket give the bonus its own line and the streak', () => {
    const results = weekly(4);
    const loyalty = new Loyalty(t.ledger, store, new EventBus(), { now: () => clock.value }, seededRandom(5));
    const fr = loyalty.receiptLines(results[3]!, 'fr');
    expect(fr.find((l) => l.startsWith('Points gagnés'))).toMatch(/\+10$/);
    expect(fr.find((l) => l.startsWith('Bonus régularité'))).toMatch(/\+20$/);
    expect(fr).toContain("4 semaines d'affilée !");
    const en = loyalty.receiptLines(results[0]!, 'en');
    expect(en.some((l) => l.startsWith('Regularity bonus') || l.includes('in a row'))).toBe(false);
  });

  it('counts sales from before regularity existed by their week and earning money', () => {
    const plain = createLedger({ db: t.db, clock: { now: () => clock.value }, random: seededRandom(99), monotonic: { now: () => 1_000 }, terminalId: 'test-t1', logger: quiet });
    for (let w = 0; w < 3; w++) {
      clock.value = WEDNESDAY_10H + w * WEEK;
      plain.commit(basket(`OLD${w}`));
    }
    clock.value = WEDNESDAY_10H + 3 * WEEK;
    expect(t.ledger.commit(basket('NEW')).regularity).toMatchObject({ streak: 4, bonusPoints: 20 });
  });
});
