import { foldForSearch, searchWords } from '../../../shared/domain/text';

/**
 * Search by name without names in clear on disk (issue 17 item 5). Names are
 * sealed in the database, so the words a cashier types are matched here, in
 * memory, against an index built from the decrypted names the first time a
 * search needs it (about a second for 200,000 members, warmed at the
 * terminal's start) and kept current by every write of a name.
 *
 * Chosen over a keyed-hash index of name prefixes stored in the database:
 * - the file would still show which members share a name and how common each
 *   name is (equal hashes), and a prefix index multiplies rows by word length;
 * - a hash answers « is this exact prefix here » but not in what order: the
 *   till lists hits in name order (« Dupont Claire » before « Dupuis Anne »),
 *   which would mean decrypting every member behind a common prefix to sort
 *   them (thousands for « dup »), far past the 10 ms a keystroke may take;
 * - here a prefix is two binary searches over a sorted array, and results
 *   come in (word, name) order as they did from the SQLite index.
 * The clear names live only in the process that shows them on screen anyway.
 */
export const NameKind = { last: 0, first: 1 } as const;
export type NameKindValue = (typeof NameKind)[keyof typeof NameKind];

export interface NamedMember {
  id: string;
  firstName: string;
  lastName: string;
}

interface Person {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  /** Folded « last first »: the order hits are listed in. */
  readonly sortKey: string;
  /** Every name word, both kinds. */
  readonly words: readonly string[];
  alive: boolean;
}

export interface NameEntry {
  readonly token: string;
  readonly person: Person;
}

export interface NameHit {
  memberId: string;
  token: string;
  sortKey: string;
}

/** Entries added since the arrays were last sorted, before a full re-sort is cheaper than merging. */
const PENDING_MAX = 4_096;

function compare(a: NameEntry, b: NameEntry): number {
  return a.token < b.token ? -1 : a.token > b.token ? 1 : a.person.sortKey < b.person.sortKey ? -1 : a.person.sortKey > b.person.sortKey ? 1 : a.person.id < b.person.id ? -1 : a.person.id > b.person.id ? 1 : 0;
}

/** First index in a sorted array whose token is ≥ `token`. */
function lowerBound(entries: readonly NameEntry[], token: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.token < token) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The smallest string greater than every string starting with `prefix`. */
function prefixEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

export function sortKeyOf(lastName: string, firstName: string): string {
  return `${foldForSearch(lastName)} ${foldForSearch(firstName)}`;
}

export class NameIndex {
  private people = new Map<string, Person>();
  /** Sorted by (token, sortKey, id), one array per kind. */
  private sorted: [NameEntry[], NameEntry[]] = [[], []];
  /** Also sorted, small: merged into `sorted` when it grows. */
  private pending: [NameEntry[], NameEntry[]] = [[], []];
  private dead = 0;
  private loaded = false;
  /** Counts puts and removals, so a writer can tell whether a failed transaction touched the index. */
  writes = 0;

  /** `load` lists every member with their clear names; called on first use and after `invalidate`. */
  constructor(private readonly load: () => Iterable<NamedMember>) {}

  /** Builds the index now rather than on the first search. */
  warm(): void {
    this.ensure();
  }

  /** Forget everything: the next search rebuilds from the database (a write that rolled back). */
  invalidate(): void {
    this.loaded = false;
    this.people = new Map();
    this.sorted = [[], []];
    this.pending = [[], []];
    this.dead = 0;
  }

  /** A member's names as they now are (a new member, or HQ's correction). */
  put(m: NamedMember): void {
    this.writes++;
    if (!this.loaded) return; // the load will read them from the database
    this.drop(m.id);
    const person = this.add(m);
    for (const kind of [NameKind.last, NameKind.first]) {
      const words = kind === NameKind.last ? searchWords(m.lastName) : searchWords(m.firstName);
      for (const token of new Set(words)) {
        const list = this.pending[kind];
        const entry = { token, person };
        let at = list.length;
        while (at > 0 && compare(list[at - 1]!, entry) > 0) at--;
        list.splice(at, 0, entry);
      }
    }
    if (this.pending[0].length + this.pending[1].length > PENDING_MAX || this.dead > this.people.size / 4) this.compact();
  }

  remove(id: string): void {
    this.writes++;
    if (this.loaded) this.drop(id);
  }

  /** How many name words of this kind start with `prefix` (members whose names changed since may count twice). */
  count(kind: NameKindValue, prefix: string): number {
    this.ensure();
    const end = prefixEnd(prefix);
    let n = 0;
    for (const list of [this.sorted[kind], this.pending[kind]]) n += lowerBound(list, end) - lowerBound(list, prefix);
    return n;
  }

  /**
   * The first `limit` words of this kind starting with `prefix`, in (word, name)
   * order, of members whose other name words start with each of `others`.
   */
  find(kind: NameKindValue, prefix: string, limit: number, others: readonly string[] = []): NameHit[] {
    this.ensure();
    const end = prefixEnd(prefix);
    const a = this.sorted[kind];
    const b = this.pending[kind];
    let i = lowerBound(a, prefix);
    let j = lowerBound(b, prefix);
    const aEnd = lowerBound(a, end);
    const bEnd = lowerBound(b, end);
    const out: NameHit[] = [];
    const seen = new Set<string>();
    while (out.length < limit && (i < aEnd || j < bEnd)) {
      const entry = j >= bEnd || (i < aEnd && compare(a[i]!, b[j]!) <= 0) ? a[i++]! : b[j++]!;
      const { person } = entry;
      if (!person.alive || seen.has(person.id)) continue;
      if (!others.every((w) => person.words.some((word) => word !== entry.token && word.startsWith(w)))) continue;
      seen.add(person.id);
      out.push({ memberId: person.id, token: entry.token, sortKey: person.sortKey });
    }
    return out;
  }

  /** A member's names as the index holds them, without opening the sealed value; null before the index is built. */
  namesOf(id: string): { firstName: string; lastName: string } | null {
    if (!this.loaded) return null;
    return this.people.get(id) ?? null;
  }

  /** The order a member is listed in, if known. */
  sortKeyOf(id: string): string | null {
    this.ensure();
    return this.people.get(id)?.sortKey ?? null;
  }

  private ensure(): void {
    if (this.loaded) return;
    this.loaded = true;
    try {
      for (const m of this.load()) {
        this.drop(m.id);
        const person = this.add(m);
        for (const token of new Set(searchWords(m.lastName))) this.sorted[NameKind.last].push({ token, person });
        for (const token of new Set(searchWords(m.firstName))) this.sorted[NameKind.first].push({ token, person });
      }
      this.compact();
    } catch (error) {
      this.invalidate();
      throw error;
    }
  }

  private add(m: NamedMember): Person {
    const words = [...new Set([...searchWords(m.lastName), ...searchWords(m.firstName)])];
    const person: Person = { id: m.id, firstName: m.firstName, lastName: m.lastName, sortKey: sortKeyOf(m.lastName, m.firstName), words, alive: true };
    this.people.set(m.id, person);
    return person;
  }

  private drop(id: string): void {
    const old = this.people.get(id);
    if (!old) return;
    old.alive = false;
    this.people.delete(id);
    this.dead++;
  }

  /** One sorted array per kind again, without the entries of members since changed or removed. */
  private compact(): void {
    for (const kind of [NameKind.last, NameKind.first]) {
      const live = [...this.sorted[kind], ...this.pending[kind]].filter((e) => e.person.alive);
      live.sort(compare);
      this.sorted[kind] = live;
      this.pending[kind] = [];
    }
    this.dead = 0;
  }
}
