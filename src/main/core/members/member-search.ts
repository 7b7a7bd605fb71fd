import type { Statement } from 'better-sqlite3';
import type { SearchField, SearchHit } from '../../../shared/contract';
import { checkCardNumber } from '../../../shared/domain/card-number';
import { phoneQueryDigits } from '../../../shared/domain/phone';
import { foldForSearch, searchWords } from '../../../shared/domain/text';
import type { Db } from '../db/database';
import { PAIR_SEPARATOR, TokenKind, pairKindOf, toSummary, type MemberStore } from './member-store';

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
  phoneEnd: 7,
} as const;

interface Candidate {
  memberId: string;
  rank: number;
  token: string;
  sortKey: string;
  matched: SearchField;
}

/** Index entries counted, at most, to find the rarest word of a query. */
const SELECTIVITY_CAP = 2_000;
/** Words of a query that narrow the search; more add nothing at a till. */
const MAX_WORDS = 4;
/** Distinct words a lead starts that are each read as one range of pairs before walking word by word. */
const PAIR_WORDS = 48;
/** Pairs counted, at most, to choose which of several other words to read a word's pairs with. */
const PAIR_COUNT_CAP = 500;

interface TokenRow {
  token: string;
  sort_key: string;
  member_id: string;
}

/** The smallest string greater than every string starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

/**
 * Search as you type at the till: accent- and case-insensitive, ranked, and
 * fast on hundreds of thousands of members because every branch is an index
 * range on member_search_token read in order, never a scan.
 */
export class MemberSearch {
  private readonly byToken: Statement<[number, string, string, number], TokenRow>;
  private readonly cardPrefix: Statement<[string, string, number], { card_number: string; member_id: string }>;
  private readonly countPrefix: Statement<[number, string, string, number], { n: number }>;
  private readonly countWords: Statement<[number, string, string, number], { n: number }>;
  private readonly allWords = new Map<number, Statement>();
  private readonly pairsAll = new Map<number, Statement>();
  private readonly nextPairWord: Statement<[number, string, string], { token: string }>;
  private readonly row: Statement<[string], Parameters<typeof toSummary>[0]>;

  constructor(
    private readonly db: Db,
    private readonly members: MemberStore,
  ) {
    this.byToken = db.prepare(
      `SELECT token, sort_key, member_id FROM member_search_token
       WHERE kind = ? AND token >= ? AND token < ? ORDER BY token, sort_key LIMIT ?`,
    );
    this.cardPrefix = db.prepare(
      'SELECT card_number, member_id FROM member_card WHERE card_number >= ? AND card_number < ? ORDER BY card_number LIMIT ?',
    );
    this.countPrefix = db.prepare(
      'SELECT count(*) AS n FROM (SELECT 1 FROM member_search_token WHERE kind = ? AND token >= ? AND token < ? LIMIT ?)',
    );
    // Each distinct word counts at least once: past `cap` distinct words the sum is past the cap too.
    this.countWords = db.prepare(
      'SELECT coalesce(sum(n), 0) AS n FROM (SELECT n FROM member_search_word WHERE kind = ? AND token >= ? AND token < ? LIMIT ?)',
    );
    this.nextPairWord = db.prepare('SELECT token FROM member_search_token WHERE kind = ? AND token >= ? AND token < ? ORDER BY token LIMIT 1');
    this.row = db.prepare('SELECT id, first_name, last_name, email, phone, locale, primary_card, created_at FROM member WHERE id = ?');
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
      this.phoneCandidates(digits, limit, offer);
    } else if (q.includes('@')) {
      this.tokenCandidates(TokenKind.email, foldForSearch(q), limit, offer);
    } else {
      this.nameCandidates(q, limit, offer);
    }

    const ranked = [...best.values()].sort(
      (a, b) => a.rank - b.rank || (a.token < b.token ? -1 : a.token > b.token ? 1 : 0) || (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0),
    );
    const hits: SearchHit[] = [];
    for (const c of ranked.slice(0, limit)) {
      const row = this.row.get(c.memberId);
      if (row) hits.push({ ...toSummary(row), matched: c.matched });
    }
    return hits;
  }

  private nameCandidates(q: string, limit: number, offer: (c: Candidate) => void): void {
    const words = searchWords(q);
    if (words.length === 0) return;
    if (words.length === 1) {
      const word = words[0]!;
      this.tokenCandidates(TokenKind.lastName, word, limit, offer);
      this.tokenCandidates(TokenKind.firstName, word, limit, offer);
      // "claire.ma" is how people start typing an email.
      this.tokenCandidates(TokenKind.email, foldForSearch(q), limit, offer);
      return;
    }
    // Several words ("claire dup"): start from the rarest word, so a common first
    // name cannot crowd out the member; which word leads also decides the rank shown.
    const distinct = [...new Set(words)].slice(0, MAX_WORDS);
    const selectivity = distinct.map((w) => ({ w, n: this.prefixCount(w) }));
    selectivity.sort((a, b) => a.n - b.n || b.w.length - a.w.length);
    const lead = selectivity[0]!.w;
    // A word the lead starts with is matched by the lead's own word: nothing to check.
    const rest = selectivity
      .slice(1)
      .map((x) => x.w)
      .filter((w) => !lead.startsWith(w));
    for (const kind of [TokenKind.lastName, TokenKind.firstName]) {
      const rows = rest.length === 0 ? this.byToken.all(kind, lead, prefixEnd(lead), limit) : this.pairRows(kind, lead, rest, limit);
      for (const r of rows) {
        offer({ memberId: r.member_id, rank: rankFor(kind, r.token === lead), token: r.token, sortKey: r.sort_key, matched: fieldFor(kind) });
      }
    }
  }

  /**
   * The first `limit` words of this kind starting with `lead`, in (word, name)
   * order, of members having a name word that starts with each of `rest` (none
   * of them a prefix of `lead`, so it is another word than the lead's). For
   * each distinct word the lead starts, its pairs with the first of `rest` are
   * one index range; after PAIR_WORDS distinct words (a very short lead) the
   * walk goes on word by word, checking the other words in the index.
   */
  private pairRows(kind: number, lead: string, rest: readonly string[], limit: number): TokenRow[] {
    const pairKind = pairKindOf(kind);
    const pairs = this.statement(this.pairsAll, rest.length - 1, (exists) =>
      `SELECT token, sort_key, member_id FROM member_search_token a
       WHERE a.kind = ? AND a.token >= ? AND a.token < ? ${exists}
       ORDER BY a.sort_key, a.member_id`,
    );
    const out: TokenRow[] = [];
    const end = prefixEnd(lead);
    let from = lead;
    for (let n = 0; out.length < limit; n++) {
      if (n === PAIR_WORDS) {
        const walk = this.statement(this.allWords, rest.length, (exists) =>
          `SELECT a.token, a.sort_key, a.member_id FROM member_search_token a
           WHERE a.kind = ? AND a.token >= ? AND a.token < ? ${exists}
           ORDER BY a.token, a.sort_key LIMIT ?`,
        );
        out.push(...(walk.all(kind, from, end, ...rest.flatMap((w) => [w, prefixEnd(w)]), limit - out.length) as TokenRow[]));
        break;
      }
      const next = this.nextPairWord.get(pairKind, from, end);
      if (!next) break;
      const word = next.token.slice(0, next.token.indexOf(PAIR_SEPARATOR));
      // With three words or more, the range is read with the word it pairs with least (« jean pierre mat »: the Jeans with a « mat… », not every Jean-Pierre).
      const counted = rest.map((w) => ({ w, n: rest.length === 1 ? 0 : this.countPrefix.get(pairKind, `${word}${PAIR_SEPARATOR}${w}`, prefixEnd(`${word}${PAIR_SEPARATOR}${w}`), PAIR_COUNT_CAP)!.n }));
      counted.sort((a, b) => a.n - b.n);
      const head = `${word}${PAIR_SEPARATOR}${counted[0]!.w}`;
      const othersBounds = counted.slice(1).flatMap(({ w }) => [w, prefixEnd(w)]);
      const matches = pairs.all(pairKind, head, prefixEnd(head), ...othersBounds) as TokenRow[];
      // One row per member for this word, in name order (a member may pair it with several words starting with `partner`).
      let previous = '';
      for (const m of matches) {
        if (m.member_id === previous) continue;
        previous = m.member_id;
        out.push({ token: word, sort_key: m.sort_key, member_id: m.member_id });
      }
      // Past every pair of this word: its separator is the lowest character a token can hold after it.
      from = `${word}\u0002`;
    }
    return out.slice(0, limit);
  }

  /** How many name words start with `prefix`, counted up to a cap per kind (member_search_word, migration 13): enough to pick the rarest word. */
  private prefixCount(prefix: string): number {
    let n = 0;
    for (const kind of [TokenKind.lastName, TokenKind.firstName]) {
      n += Math.min(SELECTIVITY_CAP, this.countWords.get(kind, prefix, prefixEnd(prefix), SELECTIVITY_CAP)!.n);
    }
    return n;
  }

  /** A statement with one « another name word starts with … » check per extra word, prepared once per count. */
  private statement(cache: Map<number, Statement>, extraWords: number, sql: (exists: string) => string): Statement {
    let stmt = cache.get(extraWords);
    if (!stmt) {
      const exists = Array.from(
        { length: extraWords },
        () => `AND EXISTS (SELECT 1 FROM member_search_token b
                 WHERE b.member_id = a.member_id AND b.kind IN (${TokenKind.lastName}, ${TokenKind.firstName}) AND b.token >= ? AND b.token < ?)`,
      ).join('\n');
      stmt = this.db.prepare(sql(exists));
      cache.set(extraWords, stmt);
    }
    return stmt;
  }

  private phoneCandidates(digits: string, limit: number, offer: (c: Candidate) => void): void {
    if (digits.startsWith('04')) {
      for (const r of this.cardPrefix.all(digits, prefixEnd(digits), limit)) {
        offer({ memberId: r.member_id, rank: RANK.card, token: r.card_number, sortKey: '', matched: 'card' });
      }
    }
    if (digits.startsWith('0')) {
      this.tokenCandidates(TokenKind.phone, digits, limit, offer);
    }
    if (digits.length >= 4) {
      this.tokenCandidates(TokenKind.phoneReversed, [...digits].reverse().join(''), limit, offer);
    }
  }

  private tokenCandidates(kind: number, prefix: string, limit: number, offer: (c: Candidate) => void): void {
    if (prefix.length === 0) return;
    for (const r of this.byToken.all(kind, prefix, prefixEnd(prefix), limit)) {
      const exact = r.token === prefix;
      offer({
        memberId: r.member_id,
        rank: rankFor(kind, exact),
        token: r.token,
        sortKey: r.sort_key,
        matched: fieldFor(kind),
      });
    }
  }
}

function rankFor(kind: number, exact: boolean): number {
  switch (kind) {
    case TokenKind.lastName:
      return exact ? RANK.lastNameExact : RANK.lastNamePrefix;
    case TokenKind.firstName:
      return exact ? RANK.firstNameExact : RANK.firstNamePrefix;
    case TokenKind.email:
      return RANK.email;
    case TokenKind.phone:
      return RANK.phone;
    default:
      return RANK.phoneEnd;
  }
}

function fieldFor(kind: number): SearchField {
  switch (kind) {
    case TokenKind.lastName:
      return 'last_name';
    case TokenKind.firstName:
      return 'first_name';
    case TokenKind.email:
      return 'email';
    default:
      return 'phone';
  }
}
