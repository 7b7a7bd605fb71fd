import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../src/shared/contract';
import { checkCardNumber, formatCardNumber } from '../../src/shared/domain/card-number';
import { checkFrenchMobile, formatFrenchPhone, nationalDigits, phoneQueryDigits } from '../../src/shared/domain/phone';
import { searchWords } from '../../src/shared/domain/text';
import { createCore, type Core } from '../../src/main/core/core';
import { uuidv7 } from '../../src/main/core/ids';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { seedDemoMembers } from '../../src/main/core/seed/demo-members';
import type { MemberStore, NewMember } from '../../src/main/core/members/member-store';
import { sortKeyOf as sortKey } from '../../src/main/core/members/name-index';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

/**
 * Search on a real SQLite file holding a demo shop plus a few members the
 * tests can name. Expectations come from the stored members through a small
 * reference model of the matching rules, never from a list of results.
 */

const NOW = Date.UTC(2026, 10, 22, 12);
const DEMO_MEMBERS = 3_000;

interface Person {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  card: string;
  lastWords: string[];
  firstWords: string[];
}

let dir: string;
let core: Core;
let known: KnownMembers;
let people: Person[];
let byId: Map<string, Person>;
/** Every member as written: the file keeps names sealed and contact data only as keyed hashes (issue 17). */
const inserted = new Map<string, NewMember>();

function recordInserts(store: MemberStore): void {
  const insert = store.insert.bind(store);
  store.insert = (m) => {
    insert(m);
    inserted.set(m.id, m);
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-member-search-'));
  core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => NOW },
    random: seededRandom(1),
    logger: silentLogger,
    validateOutput: true,
  });
  recordInserts(core.members);
  known = insertKnownMembers(core.members);
  seedDemoMembers(core.members, { count: DEMO_MEMBERS, seed: 20261122, now: NOW });
  loadPeople();
});

/** The stored members, as the reference model reads them. */
function loadPeople(): void {
  people = [...inserted.values()].map((r) => ({
    id: r.id,
    firstName: r.firstName,
    lastName: r.lastName,
    email: r.email,
    phone: r.phone,
    card: r.cardNumber,
    lastWords: searchWords(r.lastName),
    firstWords: searchWords(r.firstName),
  }));
  byId = new Map(people.map((p) => [p.id, p]));
}

afterAll(async () => {
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function search(query: string, limit?: number): Promise<SearchHit[]> {
  const result = await core.dispatch('cashier', 'member.search', limit === undefined ? { query } : { query, limit });
  if (!result.ok) throw new Error(`search ${JSON.stringify(query)} failed: ${result.error.code} ${result.error.message}`);
  return (result.value as { hits: SearchHit[] }).hits;
}

const ids = (hits: readonly { id: string }[]) => hits.map((h) => h.id);
const person = (hit: { id: string }) => byId.get(hit.id)!;

/** Rank of a member for a one-word query, best first, or null when the word does not find them. */
function wordRank(p: Person, word: string, rawQuery: string): number | null {
  if (p.lastWords.includes(word)) return 1;
  if (p.firstWords.includes(word)) return 2;
  if (p.lastWords.some((w) => w.startsWith(word))) return 3;
  if (p.firstWords.some((w) => w.startsWith(word))) return 4;
  if (p.email && p.email.toLowerCase() === rawQuery.trim().toLowerCase()) return 5;
  return null;
}

/** Whether the query should find this member, by the rules the till promises. */
function finds(p: Person, query: string): boolean {
  const q = query.trim();
  if (q === '') return false;
  const card = checkCardNumber(q);
  if (card.ok) return p.card === card.cardNumber;
  const digits = phoneQueryDigits(q);
  if (digits !== null) {
    // A phone number only whole: the terminal keeps its keyed hash, not its digits.
    const typed = checkFrenchMobile(q);
    return (digits.startsWith('04') && p.card.startsWith(digits)) || (typed.ok && p.phone === typed.e164);
  }
  if (q.includes('@')) return p.email !== null && p.email.toLowerCase() === q.toLowerCase();
  const words = searchWords(q);
  if (words.length === 0) return false;
  if (words.length === 1) return wordRank(p, words[0]!, q) !== null;
  const own = [...p.lastWords, ...p.firstWords];
  return words.every((w) => own.some((o) => o.startsWith(w)));
}

function expectedMatches(query: string): Person[] {
  return people.filter((p) => finds(p, query));
}

/** Every hit is a real match, and when all matches fit under the limit, every match is a hit. */
async function expectExactlyTheMatches(query: string, limit = 50): Promise<SearchHit[]> {
  const hits = await search(query, limit);
  const expected = expectedMatches(query);
  for (const hit of hits) expect(finds(person(hit), query), `${query} → ${hit.firstName} ${hit.lastName}`).toBe(true);
  expect(new Set(ids(hits)).size).toBe(hits.length);
  if (expected.length <= limit) expect(new Set(ids(hits))).toEqual(new Set(expected.map((p) => p.id)));
  else expect(hits).toHaveLength(limit);
  return hits;
}

function ranksOf(hits: SearchHit[], word: string, query: string): number[] {
  return hits.map((h) => wordRank(person(h), word, query) ?? Number.POSITIVE_INFINITY);
}

function isNonDecreasing(values: number[]): boolean {
  return values.every((v, i) => i === 0 || values[i - 1]! <= v);
}

function countBy<T>(items: T[], key: (item: T) => string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) for (const k of new Set(key(item))) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

/**
 * Several words, as the search ranked them before pairs of words were indexed:
 * the rarest word leads (name words starting with it, counted per kind up to
 * 2,000; the longer word on a tie), its matches of each kind in (word, name,
 * id) order up to the limit, kept if every other word starts one of the
 * member's name words; then by rank, word and name.
 */
function walkingTheLeadWord(query: string, limit: number): string[] {
  const words = [...new Set(searchWords(query))].slice(0, 4);
  const wordsOf = (p: Person, kind: 1 | 2) => [...new Set(kind === 1 ? p.lastWords : p.firstWords)];
  const count = (w: string) =>
    ([1, 2] as const).reduce((n, kind) => n + people.reduce((m, p) => m + wordsOf(p, kind).filter((t) => t.startsWith(w)).length, 0), 0);
  const selectivity = words.map((w) => ({ w, n: count(w) })).sort((a, b) => a.n - b.n || b.w.length - a.w.length);
  const lead = selectivity[0]!.w;
  const rest = selectivity.slice(1).map((x) => x.w);
  const best = new Map<string, { rank: number; token: string; key: string }>();
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const kind of [1, 2] as const) {
    const rows = people
      .flatMap((p) => wordsOf(p, kind).filter((t) => t.startsWith(lead)).map((token) => ({ token, key: sortKey(p.lastName, p.firstName), p })))
      .filter(({ p }) => rest.every((w) => [...p.lastWords, ...p.firstWords].some((o) => o.startsWith(w))))
      .sort((a, b) => cmp(a.token, b.token) || cmp(a.key, b.key) || cmp(a.p.id, b.p.id))
      .slice(0, limit);
    for (const { token, key, p } of rows) {
      const rank = kind === 1 ? (token === lead ? 1 : 3) : token === lead ? 2 : 4;
      const seen = best.get(p.id);
      if (!seen || rank < seen.rank || (rank === seen.rank && token < seen.token)) best.set(p.id, { rank, token, key });
    }
  }
  return [...best.entries()]
    .sort(([, a], [, b]) => a.rank - b.rank || cmp(a.token, b.token) || cmp(a.key, b.key))
    .slice(0, limit)
    .map(([id]) => id);
}

/** Queries a cashier types for one member: a first name and the start of the last name, and the other ways round. */
function multiWordQueries(n: number): string[] {
  const random = seededRandom(11);
  const pick = <T>(items: readonly T[]) => items[random.bytes(1)[0]! % items.length]!;
  const queries = ['claire dup', 'dup claire', 'jean-pierre d', 'marie mar', 'martin mar', 'dupont dup', 'le gall zoe', 'ma du', 'a b c d e'];
  for (let i = 0; queries.length < n; i++) {
    const p = people[(random.bytes(2)[0]! * 256 + random.bytes(1)[0]!) % people.length]!;
    const first = pick(p.firstWords);
    const last = pick(p.lastWords);
    const start = (w: string, k: number) => w.slice(0, k);
    const forms = [
      `${first} ${start(last, 3)}`,
      `${start(last, 2)} ${first}`,
      `${last} ${start(first, 1 + (i % 4))}`,
      `${start(first, 2)} ${start(last, 2)}`,
      `${p.firstWords.join('-')} ${start(last, 3)}`,
      `${first} ${p.lastWords.map((w) => start(w, 2)).join(' ')}`,
    ];
    queries.push(forms[i % forms.length]!);
  }
  return queries;
}

describe('member.search on a demo shop', () => {
  it('ignores accents and case', async () => {
    const variants = ['helene', 'HÉLÈNE', 'Hélène', 'HeLeNe', '  hélène  '];
    const results = await Promise.all(variants.map((v) => expectExactlyTheMatches(v)));
    for (const hits of results) {
      expect(ids(hits)).toEqual(ids(results[0]!));
      expect(ids(hits)).toContain(known.helene.id);
    }
    const lefevre = await expectExactlyTheMatches('LEFEVRE');
    expect(ids(lefevre)).toContain(known.helene.id);
    expect(ids(await search('lefèvre', 50))).toEqual(ids(lefevre));
  });

  it('puts members whose last name is the word before those whose last name only starts with it', async () => {
    const lastNameCounts = countBy(people, (p) => p.lastWords);
    // A last name that is also the start of longer ones (Roy / Royer), few enough that every match fits.
    const word = [...lastNameCounts.keys()]
      .filter((w) => w.length >= 3)
      .sort()
      .find((w) => {
        const longer = people.some((p) => p.lastWords.some((o) => o !== w && o.startsWith(w)));
        return longer && expectedMatches(w).length <= 50;
      });
    expect(word, 'the demo shop has a last name that starts another one').toBeDefined();
    const hits = await expectExactlyTheMatches(word!);
    const ranks = ranksOf(hits, word!, word!);
    expect(isNonDecreasing(ranks)).toBe(true);
    const exact = hits.filter((h) => person(h).lastWords.includes(word!));
    expect(exact).toHaveLength(lastNameCounts.get(word!)!);
    expect(ids(hits.slice(0, exact.length))).toEqual(ids(exact));
    expect(hits.slice(0, exact.length).every((h) => h.matched === 'last_name')).toBe(true);
    expect(hits.length).toBeGreaterThan(exact.length);
  });

  it('puts a last name before the same word as a first name', async () => {
    const lastNameCounts = countBy(people, (p) => p.lastWords);
    const firstNameCounts = countBy(people, (p) => p.firstWords);
    const word = [...lastNameCounts.keys()]
      .sort()
      .find((w) => firstNameCounts.has(w) && expectedMatches(w).length <= 50);
    expect(word, 'the demo shop has a word that is both a first and a last name').toBeDefined();
    const hits = await expectExactlyTheMatches(word!);
    expect(isNonDecreasing(ranksOf(hits, word!, word!))).toBe(true);
    const asLast = hits.filter((h) => person(h).lastWords.includes(word!));
    const asFirstOnly = hits.filter((h) => !person(h).lastWords.includes(word!) && person(h).firstWords.includes(word!));
    expect(asLast.length).toBeGreaterThan(0);
    expect(asFirstOnly.length).toBeGreaterThan(0);
    const lastOfLast = Math.max(...asLast.map((h) => hits.indexOf(h)));
    const firstOfFirst = Math.min(...asFirstOnly.map((h) => hits.indexOf(h)));
    expect(lastOfLast).toBeLessThan(firstOfFirst);
    expect(asFirstOnly.every((h) => h.matched === 'first_name')).toBe(true);
  });

  it('ranks in order across every kind of match for common three-letter starts', async () => {
    for (const query of ['mar', 'Ber', 'DUB', 'lé', 'cla', 'jea']) {
      const hits = await expectExactlyTheMatches(query, 20);
      const word = searchWords(query)[0]!;
      expect(isNonDecreasing(ranksOf(hits, word, query)), query).toBe(true);
    }
  });

  it('finds Claire Dupont first for « claire dup », and only members matching every word', async () => {
    const hits = await expectExactlyTheMatches('claire dup');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toMatchObject({ firstName: 'Claire', lastName: 'Dupont' });
    expect(ids(hits)).toContain(known.claire.id);
    // Word order does not matter.
    expect(new Set(ids(await search('dup claire', 50)))).toEqual(new Set(ids(hits)));
  });

  it('ranks several words exactly as walking the rarest word did, whichever way they pair', async () => {
    for (const query of multiWordQueries(300)) {
      for (const limit of [10, 50]) {
        expect(ids(await search(query, limit)), `${query} (${limit})`).toEqual(walkingTheLeadWord(query, limit));
      }
    }
  });

  it('finds by a whole phone number however it is typed, and not by part of one', async () => {
    // The summary has the masked number: the one enrolled is the test's own record.
    const phone = inserted.get(known.claire.id)!.phone!;
    const national = nationalDigits(phone);
    for (const query of [national, formatFrenchPhone(phone), phone, `+33 ${national.slice(1)}`, national.replace(/(..)/g, '$1.')]) {
      const hits = await expectExactlyTheMatches(query);
      expect(ids(hits), query).toEqual([known.claire.id]);
      expect(hits[0]!.matched).toBe('phone');
      // Shown masked: the terminal no longer has the number to show.
      expect(hits[0]!.phone).toBe(`${national.slice(0, 2)} ** ** ** ${national.slice(-2)}`);
    }
    for (const query of ['06 12 34', national.slice(0, 6), national.slice(-4), national.slice(0, 9)]) {
      expect(await search(query, 50), query).toEqual([]);
    }
  });

  it('finds by a whole email address whatever its case, and not by its start', async () => {
    for (const query of ['helene.lefevre@example.org', 'Helene.Lefevre@Example.org', '  HELENE.LEFEVRE@EXAMPLE.ORG ']) {
      const hits = await expectExactlyTheMatches(query);
      expect(ids(hits), query).toEqual([known.helene.id]);
      expect(hits[0]!.matched).toBe('email');
      expect(hits[0]!.email).toBe('h***@example.org');
    }
    for (const query of ['claire.dup', 'helene.lefevre@', 'helene.lefevre@example.or', 'zoe@']) expect(await search(query, 50), query).toEqual([]);
  });

  it('finds names with particles and apostrophes by any of their words', async () => {
    for (const query of ['le gall', 'Le Gall', 'gall', 'GALL']) {
      expect(ids(await expectExactlyTheMatches(query)), query).toContain(known.zoe.id);
    }
    for (const query of ["d'almeida", 'D’Almeida', 'almeida', 'jean-pierre d']) {
      expect(ids(await expectExactlyTheMatches(query)), query).toContain(known.jeanPierre.id);
    }
  });

  it('finds exactly one member for a full card number, however it is typed', async () => {
    const seededMember = people.find((p) => p.id !== known.claire.id && p.card.startsWith('049999'))!;
    for (const [card, id] of [
      [known.claire.cardNumber, known.claire.id],
      [seededMember.card, seededMember.id],
    ] as const) {
      for (const query of [card, formatCardNumber(card), ` ${card} `]) {
        const hits = await search(query);
        expect(ids(hits), query).toEqual([id]);
        expect(hits[0]!.matched).toBe('card');
      }
    }
    // A well-formed card nobody holds finds nobody.
    const unused = people.map((p) => p.card).sort().at(-1)!;
    const body = String(Number(unused.slice(0, 12)) + 1).padStart(12, '0');
    const free = [...Array(10).keys()].map((d) => body + d).find((c) => checkCardNumber(c).ok)!;
    expect(await search(free)).toEqual([]);
  });

  it('refuses control characters and over-long queries as bad input', async () => {
    for (const query of ['claire\u0000', 'dup\u001b[2J', 'mar\u202etin', 'x'.repeat(101)]) {
      const result = await core.dispatch('cashier', 'member.search', { query, limit: 10 });
      expect(result.ok, JSON.stringify(query)).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('bad_input');
    }
    const longest = await core.dispatch('cashier', 'member.search', { query: 'x'.repeat(100), limit: 10 });
    expect(longest).toEqual({ ok: true, value: { hits: [], more: false } });
  });

  it('treats SQL and LIKE meta-characters as plain text', async () => {
    for (const query of ["' OR 1=1 --", '%', '_', '%%', "mar%'", 'm_r', '"; DROP TABLE member; --', '\\', '*', "') UNION SELECT * FROM member --"]) {
      const hits = await search(query, 50);
      const expected = expectedMatches(query);
      expect(hits.every((h) => finds(person(h), query)), query).toBe(true);
      expect(hits.length, query).toBe(Math.min(50, expected.length));
    }
    expect(await search("' OR 1=1 --", 50)).toEqual([]);
    expect(await search('%', 50)).toEqual([]);
    expect(await search('_', 50)).toEqual([]);
    expect(core.members.count()).toBe(people.length);
  });

  it('returns no more than the limit, ten by default', async () => {
    expect(expectedMatches('ma').length).toBeGreaterThan(50);
    for (const limit of [1, 5, 17, 50]) expect(await search('ma', limit)).toHaveLength(limit);
    expect(await search('ma')).toHaveLength(10);
    const over = await core.dispatch('cashier', 'member.search', { query: 'ma', limit: 51 });
    expect(over.ok).toBe(false);
  });
});

describe('a common first name does not crowd out the member', () => {
  const random = seededRandom(5);
  const clock = { now: () => NOW };
  const base = () => ({
    email: null,
    phone: null,
    locale: 'fr' as const,
    createdAt: NOW,
    terminalId: 'test-t1',
    consents: { marketing: false, personalisedOffers: false, profiling: false },
    consentWordingVersion: '2026-11.fr-1',
    consentSource: 'test',
  });

  it('finds « Marie Zimmermann » among a thousand Maries', async () => {
    core.members.transaction(() => {
      for (let i = 0; i < 1000; i++) {
        core.members.insert({ ...base(), id: uuidv7(clock, random), firstName: 'Marie', lastName: `Abadie${'a'.repeat(i % 7)}`, cardNumber: core.members.allocateCardNumber(7777) });
      }
      core.members.insert({ ...base(), id: uuidv7(clock, random), firstName: 'Marie', lastName: 'Zimmermann', cardNumber: core.members.allocateCardNumber(7777) });
    });
    for (const query of ['marie zim', 'zim marie', 'MARIE Zimmer']) {
      const result = await core.dispatch('cashier', 'member.search', { query, limit: 10 });
      expect(result.ok).toBe(true);
      const hits = result.ok ? (result.value as { hits: SearchHit[] }).hits : [];
      expect(hits.map((h) => `${h.firstName} ${h.lastName}`), query).toContain('Marie Zimmermann');
    }
  });
  it('ranks two words like walking the rarest word when it starts more words than are read pair by pair', async () => {
    // 60 different last names starting « zb », more than the search reads as ranges of pairs before walking.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    core.members.transaction(() => {
      for (let i = 0; i < 60; i++) {
        const lastName = `Zb${letters[i % 26]}${letters[Math.floor(i / 26)]}ux`;
        core.members.insert({ ...base(), id: uuidv7(clock, random), firstName: i % 3 === 0 ? 'Marie' : 'Paul', lastName, cardNumber: core.members.allocateCardNumber(7778) });
      }
    });
    loadPeople();
    for (const query of ['marie zb', 'paul zb', 'zb marie', 'marie paul zb']) {
      for (const limit of [5, 10, 50]) expect(ids(await search(query, limit)), `${query} (${limit})`).toEqual(walkingTheLeadWord(query, limit));
    }
  });

  it('counts a member once toward the limit when two of their words start the same other word', async () => {
    core.members.transaction(() => {
      for (let i = 0; i < 3; i++) {
        core.members.insert({ ...base(), id: uuidv7(clock, random), firstName: 'Zéphyrin', lastName: 'Dupont-Dupuis', cardNumber: core.members.allocateCardNumber(7779) });
      }
    });
    loadPeople();
    for (const limit of [1, 2, 3]) {
      const hits = await search('zephyrin du', limit);
      expect(hits, String(limit)).toHaveLength(limit);
      expect(ids(hits)).toEqual(walkingTheLeadWord('zephyrin du', limit));
    }
  });
  it('finds a member HQ renamed by the new name only, from the next search on', async () => {
    const before = inserted.get(known.claire.id)!;
    core.members.transaction(() =>
      core.members.upsertFromHq({ memberId: before.id, firstName: 'Clarisse', lastName: 'Quenouille', email: before.email, phone: before.phone, locale: 'fr', cards: [before.cardNumber], createdAt: before.createdAt }, NOW),
    );
    expect(ids(await search('quenouille', 50))).toEqual([known.claire.id]);
    expect(ids(await search('clarisse quen', 50))).toEqual([known.claire.id]);
    expect(ids(await search('claire dupont', 50))).not.toContain(known.claire.id);
    // A pull that fails after writing the name leaves the index as the file is.
    expect(() =>
      core.members.transaction(() => {
        core.members.upsertFromHq({ memberId: before.id, firstName: 'Zorro', lastName: 'Xylophone', email: null, phone: null, locale: 'fr', cards: [before.cardNumber], createdAt: before.createdAt }, NOW);
        throw new Error('pull refused half-way');
      }),
    ).toThrow('half-way');
    expect(await search('xylophone', 50)).toEqual([]);
    expect(ids(await search('quenouille', 50))).toEqual([known.claire.id]);
    core.members.transaction(() =>
      core.members.upsertFromHq({ memberId: before.id, firstName: before.firstName, lastName: before.lastName, email: before.email, phone: before.phone, locale: 'fr', cards: [before.cardNumber], createdAt: before.createdAt }, NOW),
    );
  });
});
