import type { Statement } from 'better-sqlite3';
import type { SearchField, SearchHit } from '../../../shared/contract';
import { checkCardNumber } from '../../../shared/domain/card-number';
import { checkFrenchMobile, phoneQueryDigits } from '../../../shared/domain/phone';
import { searchWords } from '../../../shared/domain/text';
import type { Db } from '../db/database';
import { SUMMARY_COLUMNS, type MemberStore } from './member-store';
import { NameKind, type NameKindValue } from './name-index';

/**
 * Ranking, best first. An exact word beats a prefix; a last name beats a first
 * name, which beats an email, which beats a phone number.
 */
const RANK = {
  card: 0,
  lastNameExact: 1,
  firstNameExact: 2,
  lastNamePrefix: 3,
  firstNamePrefix: 4,
  email: 5,
  phone: 6,
} as const;

interface Candidate {
  memberId: string;
  rank: number;
  token: string;
  sortKey: string;
  matched: SearchField;
}

/** Words of a query that narrow the search; more add nothing at a till. */
const MAX_WORDS = 4;

/** The smallest string greater than every string starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

/**
 * Search as you type at the till: accent- and case-insensitive, ranked. Names
 * are matched in memory (members/name-index.ts: the file holds them sealed);
 * an email or a phone number is found only whole, by its keyed hash (issue 17
 * item 5: the terminal no longer keeps them, so no prefix of them can be
 * searched); card numbers, not personal, by prefix in member_card.
 */
export class MemberSearch {
  private readonly cardPrefix: Statement<[string, string, number], { card_number: string; member_id: string }>;
  private readonly row: Statement<[string], Parameters<MemberStore['toSummary']>[0]>;

  constructor(
    db: Db,
    private readonly members: MemberStore,
  ) {
    this.cardPrefix = db.prepare(
      'SELECT card_number, member_id FROM member_card WHERE card_number >= ? AND card_number < ? ORDER BY card_number LIMIT ?',
    );
    this.row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM member WHERE id = ?`);
  }

  /** One page of hits, and whether more members match: the cashier sees « plus de résultats » rather than a silent cut. */
  searchPage(query: string, limit: number): { hits: SearchHit[]; more: boolean } {
    const hits = this.search(query, limit + 1);
    return { hits: hits.slice(0, limit), more: hits.length > limit };
  }

  search(query: string, limit: number): SearchHit[] {
    const q = query.trim();
    if (q.length === 0) return [];

    const card = checkCardNumber(q);
    if (card.ok) {
      const member = this.members.findByCard(card.cardNumber);
      return member ? [{ ...member, matched: 'card' }] : [];
    }

    const best = new Map<string, Candidate>();
    const offer = (c: Candidate) => {
      const seen = best.get(c.memberId);
      if (!seen || c.rank < seen.rank || (c.rank === seen.rank && c.token < seen.token)) best.set(c.memberId, c);
    };

    const digits = phoneQueryDigits(q);
    if (digits !== null) {
      this.phoneCandidates(q, digits, limit, offer);
    } else if (q.includes('@')) {
      this.contactCandidate(this.members.findByEmail(q), RANK.email, 'email', offer);
    } else {
      this.nameCandidates(q, limit, offer);
    }

    const ranked = [...best.values()].sort(
      (a, b) => a.rank - b.rank || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0) || (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0),
    );
    const hits: SearchHit[] = [];
    for (const c of ranked.slice(0, limit)) {
      const row = this.row.get(c.memberId);
      if (row) hits.push({ ...this.members.toSummary(row), matched: c.matched });
    }
    return hits;
  }

  private nameCandidates(q: string, limit: number, offer: (c: Candidate) => void): void {
    const words = searchWords(q);
    if (words.length === 0) return;
    const { names } = this.members;
    // Several words (« claire dup »): start from the rarest word, so a common first
    // name cannot crowd out the member; which word leads also decides the rank shown.
    const distinct = [...new Set(words)].slice(0, MAX_WORDS);
    const selectivity = distinct.map((w) => ({ w, n: names.count(NameKind.last, w) + names.count(NameKind.first, w) }));
    selectivity.sort((a, b) => a.n - b.n || b.w.length - a.w.length);
    const lead = selectivity[0]!.w;
    // A word the lead starts with is matched by the lead's own word: nothing to check.
    const rest = selectivity
      .slice(1)
      .map((x) => x.w)
      .filter((w) => !lead.startsWith(w));
    for (const kind of [NameKind.last, NameKind.first]) {
      for (const hit of names.find(kind, lead, limit, rest)) {
        offer({ memberId: hit.memberId, rank: rankFor(kind, hit.token === lead), token: hit.token, sortKey: hit.sortKey, matched: kind === NameKind.last ? 'last_name' : 'first_name' });
      }
    }
  }

  private phoneCandidates(q: string, digits: string, limit: number, offer: (c: Candidate) => void): void {
    if (digits.startsWith('04')) {
      for (const r of this.cardPrefix.all(digits, prefixEnd(digits), limit)) {
        offer({ memberId: r.member_id, rank: RANK.card, token: r.card_number, sortKey: '', matched: 'card' });
      }
    }
    if (checkFrenchMobile(q).ok) this.contactCandidate(this.members.findByPhone(q), RANK.phone, 'phone', offer);
  }

  private contactCandidate(memberId: string | null, rank: number, matched: SearchField, offer: (c: Candidate) => void): void {
    if (memberId === null) return;
    offer({ memberId, rank, token: '', sortKey: this.members.names.sortKeyOf(memberId) ?? '', matched });
  }
}

function rankFor(kind: NameKindValue, exact: boolean): number {
  if (kind === NameKind.last) return exact ? RANK.lastNameExact : RANK.lastNamePrefix;
  return exact ? RANK.firstNameExact : RANK.firstNamePrefix;
}
