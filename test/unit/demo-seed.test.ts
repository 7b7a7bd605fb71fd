import { afterEach, describe, expect, it } from 'vitest';
import { checkCardNumber, makeCardNumber } from '../../src/shared/domain/card-number';
import { checkFrenchMobile } from '../../src/shared/domain/phone';
import { checkEmail, checkName, foldForSearch } from '../../src/shared/domain/text';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { MemberStore, type NewMember } from '../../src/main/core/members/member-store';
import { DEMO_TERMINAL_CODE, seedDemoMembers } from '../../src/main/core/seed/demo-members';
import { LAST_NAMES } from '../../src/main/core/seed/french-names';
import { insertKnownMembers } from '../fakes/known-members';

const NOW = Date.UTC(2026, 10, 22, 15, 30);
const FOUR_YEARS_MS = 4 * 366 * 86_400_000;
const COUNT = 3_000;

interface Row {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  locale: string;
  primary_card: string;
  created_at: number;
}

const open: Db[] = [];
/** What each store was asked to write: the file keeps names sealed and contact data as keyed hashes (issue 17). */
const written = new WeakMap<Db, NewMember[]>();
function freshStore(): { db: Db; store: MemberStore } {
  const db = openDatabase(':memory:');
  open.push(db);
  const store = new MemberStore(db);
  const list: NewMember[] = [];
  written.set(db, list);
  const insert = store.insert.bind(store);
  store.insert = (m) => {
    insert(m);
    list.push(m);
  };
  return { db, store };
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function members(db: Db): Row[] {
  const stored = new Set(db.prepare('SELECT id FROM member').pluck().all() as string[]);
  return (written.get(db) ?? [])
    .filter((m) => stored.has(m.id))
    .map((m) => ({ id: m.id, first_name: m.firstName, last_name: m.lastName, email: m.email, phone: m.phone, locale: m.locale, primary_card: m.cardNumber, created_at: m.createdAt }))
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

function seeded(seed: number, count = COUNT, terminalCode?: number) {
  const { db, store } = freshStore();
  const n = seedDemoMembers(store, { count, seed, now: NOW, ...(terminalCode === undefined ? {} : { terminalCode }) });
  return { db, store, n, rows: members(db) };
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}

describe('seedDemoMembers', () => {
  it('inserts exactly the number of members asked for', () => {
    const { store, n, rows } = seeded(7);
    expect(n).toBe(COUNT);
    expect(store.count()).toBe(COUNT);
    expect(rows).toHaveLength(COUNT);
    expect(seedDemoMembers(store, { count: 0, seed: 7, now: NOW })).toBe(0);
    expect(store.count()).toBe(COUNT);
    expect(() => seedDemoMembers(store, { count: -1, seed: 7, now: NOW })).toThrow(RangeError);
    // More members than one terminal code has card serials: refused before anything is written.
    expect(() => seedDemoMembers(store, { count: 1_000_000, seed: 7, now: NOW })).toThrow(RangeError);
    expect(store.count()).toBe(COUNT);
  });

  it('gives the same members, consents and cards for the same seed', () => {
    const a = seeded(2026, 1_500);
    const b = seeded(2026, 1_500);
    expect(b.rows).toEqual(a.rows);
    const consents = (db: Db) => db.prepare('SELECT * FROM member_consent ORDER BY member_id, purpose').all();
    expect(consents(b.db)).toEqual(consents(a.db));
  });

  it('gives different members for a different seed', () => {
    const a = seeded(1, 1_500);
    const b = seeded(2, 1_500);
    const ids = new Set(a.rows.map((r) => r.id));
    expect(b.rows.filter((r) => ids.has(r.id))).toEqual([]);
    const people = (rows: Row[]) => rows.map((r) => `${r.first_name} ${r.last_name} ${r.phone}`);
    expect(people(b.rows)).not.toEqual(people(a.rows));
  });

  it('writes names, phones, emails and cards the enrolment rules accept', () => {
    const { rows } = seeded(11);
    for (const r of rows) {
      expect(checkName(r.first_name), r.first_name).toBeNull();
      expect(checkName(r.last_name), r.last_name).toBeNull();
      expect(r.first_name).toBe(r.first_name.normalize('NFC'));
      expect(r.last_name).toBe(r.last_name.normalize('NFC'));
      if (r.phone !== null) {
        const check = checkFrenchMobile(r.phone);
        expect(check, r.phone).toEqual({ ok: true, e164: r.phone });
      }
      if (r.email !== null) {
        expect(checkEmail(r.email), r.email).toBeNull();
        // ASCII only, at a domain reserved for examples.
        expect(r.email).toMatch(/^[a-z0-9.-]+@example\.(com|org|net)$/);
        const local = r.email.slice(0, r.email.indexOf('@'));
        const expected = `${foldForSearch(r.first_name)}.${foldForSearch(r.last_name)}`.replace(/[\s'’]/g, '');
        expect(local.replace(/\d+$/, '')).toBe(expected);
      }
      expect(checkCardNumber(r.primary_card)).toEqual({ ok: true, cardNumber: r.primary_card });
      expect(['fr', 'en']).toContain(r.locale);
    }
  });

  it('issues card serials 1..count under the demo terminal code, or the one given', () => {
    const expectedCards = (code: number, count: number) =>
      Array.from({ length: count }, (_, i) => makeCardNumber(code, i + 1)).sort();
    const byDefault = seeded(3, 500);
    expect(byDefault.rows.map((r) => r.primary_card).sort()).toEqual(expectedCards(DEMO_TERMINAL_CODE, 500));
    const ownCode = seeded(3, 500, 42);
    expect(ownCode.rows.map((r) => r.primary_card).sort()).toEqual(expectedCards(42, 500));
    // The terminal's own counter moved past the seed, so the next enrolment gets a fresh card at once.
    expect(ownCode.store.allocateCardNumber(42)).toBe(makeCardNumber(42, 501));
    for (const r of ownCode.rows) expect(ownCode.store.findByCard(r.primary_card)?.id).toBe(r.id);
  });

  it('never gives two members the same phone, email or card', () => {
    const { store, rows } = seeded(5);
    const phones = rows.flatMap((r) => (r.phone ? [r.phone] : []));
    const emails = rows.flatMap((r) => (r.email ? [foldForSearch(r.email)] : []));
    expect(duplicates(phones)).toEqual([]);
    expect(duplicates(emails)).toEqual([]);
    expect(duplicates(rows.map((r) => r.primary_card))).toEqual([]);
    // Enrolment's duplicate check finds each contact's one owner.
    for (const r of rows.slice(0, 300)) {
      if (r.phone) expect(store.findByContact(null, r.phone)).toBe(r.id);
      if (r.email) expect(store.findByContact(r.email, null)).toBe(r.id);
    }
  });

  it('keeps clear of contacts and cards the store already holds', () => {
    const alone = seeded(8, 200, 9990);
    const first = alone.rows.find((r) => r.email !== null && r.phone !== null)!;
    const { db, store } = freshStore();
    const known = insertKnownMembers(store);
    // Someone already holds the contacts the seed would otherwise hand out first.
    store.transaction(() =>
      store.insert({
        id: '00000000-0000-7000-8000-000000000001',
        firstName: 'Déjà',
        lastName: 'Là',
        email: first.email,
        phone: first.phone,
        locale: 'fr',
        cardNumber: makeCardNumber(1, 1),
        createdAt: NOW - 1,
        terminalId: 'test-t1',
        consents: { marketing: false, personalisedOffers: false, profiling: false },
        consentWordingVersion: 'test-1',
        consentSource: 'test',
      }),
    );
    expect(seedDemoMembers(store, { count: 200, seed: 8, now: NOW, terminalCode: 9990 })).toBe(200);
    const rows = members(db);
    expect(rows).toHaveLength(205);
    expect(duplicates(rows.flatMap((r) => (r.phone ? [r.phone] : [])))).toEqual([]);
    expect(duplicates(rows.flatMap((r) => (r.email ? [r.email] : [])))).toEqual([]);
    expect(duplicates(rows.map((r) => r.primary_card))).toEqual([]);
    for (const m of Object.values(known)) expect(store.findByCard(m.cardNumber)?.id).toBe(m.id);
  });

  it('spreads joins over the four years before now, with ids in join order', () => {
    const { db, rows } = seeded(13);
    const times = rows.map((r) => r.created_at);
    for (const t of times) {
      expect(t).toBeLessThan(NOW);
      expect(t).toBeGreaterThan(NOW - FOUR_YEARS_MS);
    }
    // Ordered by id is ordered by join time: UUIDv7 carries the instant.
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const span = Math.max(...times) - Math.min(...times);
    expect(span).toBeGreaterThan(FOUR_YEARS_MS * 0.95);
    const byCard = db.prepare('SELECT primary_card FROM member ORDER BY created_at').pluck().all() as string[];
    expect(byCard).toEqual([...byCard].sort());
  });

  it('looks like a French shop: common names often, accents, a mix of contacts, consents and locales', () => {
    const { db, rows } = seeded(17);
    const byLastName = new Map<string, number>();
    for (const r of rows) byLastName.set(r.last_name, (byLastName.get(r.last_name) ?? 0) + 1);
    const heaviest = [...LAST_NAMES].sort((a, b) => b[1] - a[1])[0]![0];
    const mostCommon = [...byLastName.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    expect(mostCommon).toBe(heaviest);
    const lightest = [...LAST_NAMES].sort((a, b) => a[1] - b[1])[0]!;
    expect(byLastName.get(heaviest)!).toBeGreaterThan(10 * (byLastName.get(lightest[0]) ?? 0));
    expect(new Set(rows.map((r) => r.last_name)).size).toBeGreaterThan(LAST_NAMES.length / 2);

    const accented = rows.filter((r) => /[^\p{ASCII}]/u.test(r.first_name + r.last_name));
    expect(accented.length).toBeGreaterThan(rows.length * 0.1);
    expect(rows.some((r) => r.first_name.includes('-'))).toBe(true);
    expect(rows.some((r) => /['\s]/.test(r.last_name))).toBe(true);

    const withoutEmail = rows.filter((r) => r.email === null).length;
    const withoutPhone = rows.filter((r) => r.phone === null).length;
    expect(withoutEmail).toBeGreaterThan(0);
    expect(withoutEmail).toBeLessThan(rows.length / 2);
    expect(withoutPhone).toBeGreaterThan(0);
    expect(withoutPhone).toBeLessThan(rows.length / 2);
    expect(rows.some((r) => r.phone?.startsWith('+336'))).toBe(true);
    expect(rows.some((r) => r.phone?.startsWith('+337'))).toBe(true);

    const fr = rows.filter((r) => r.locale === 'fr').length;
    expect(fr).toBeGreaterThan(rows.length * 0.8);
    expect(fr).toBeLessThan(rows.length);

    const consentShares = db
      .prepare('SELECT purpose, avg(granted) AS share, count(*) AS n FROM member_consent GROUP BY purpose')
      .all() as { purpose: string; share: number; n: number }[];
    expect(consentShares).toHaveLength(3);
    for (const c of consentShares) {
      expect(c.n).toBe(rows.length);
      expect(c.share).toBeGreaterThan(0);
      expect(c.share).toBeLessThan(1);
    }
  });
});
