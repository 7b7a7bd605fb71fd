import type { Consents, Locale } from '../../../shared/contract';
import { foldForSearch } from '../../../shared/domain/text';
import { uuidv7 } from '../ids';
import type { MemberStore } from '../members/member-store';
import { seededRandom, type Random } from '../ports';
import { FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, type WeightedNames } from './french-names';

export interface DemoSeedOptions {
  count: number;
  seed: number;
  /** Members joined over the four years before this instant (epoch ms). */
  now: number;
  /** Card numbers are issued under this terminal code; 9999 keeps demo cards apart from real terminals. */
  terminalCode?: number;
}

export const DEMO_TERMINAL_CODE = 9999;
export const DEMO_TERMINAL_ID = 'demo-seed';
export const DEMO_CONSENT_SOURCE = 'demo-seed';

/**
 * Members per transaction. Each commit may checkpoint the WAL and fsync, which
 * at 1,000 per batch doubled the time of a 200,000-member seed; past 10,000
 * the gain flattens while the writer stays held for longer.
 */
const BATCH_SIZE = 10_000;

const MAX_CARD_SERIAL = 999_999;
const DAY_MS = 86_400_000;
const YEARS = 4;
/** Joins happen while the shop is open, roughly 09:00–19:00 in Paris. */
const OPEN_UTC_MS = 8 * 3_600_000;
const CLOSE_UTC_MS = 18 * 3_600_000;

/** Domains reserved for examples (RFC 2606): the demo never addresses anyone real. */
const EMAIL_DOMAINS = [
  ['example.com', 0.5],
  ['example.org', 0.25],
  ['example.net', 0.25],
] as const;

/**
 * Uniform draws served from a seeded byte stream. Bytes are fetched in chunks
 * because the stream costs one BigInt round per four bytes and the seed draws
 * a few dozen numbers per member.
 */
class Draws implements Random {
  private buffer = new Uint8Array(0);
  private offset = 0;

  constructor(private readonly source: Random) {}

  bytes(count: number): Uint8Array {
    if (this.offset + count > this.buffer.length) {
      const rest = this.buffer.subarray(this.offset);
      const fresh = this.source.bytes(Math.max(4096, count));
      const merged = new Uint8Array(rest.length + fresh.length);
      merged.set(rest);
      merged.set(fresh, rest.length);
      this.buffer = merged;
      this.offset = 0;
    }
    const out = this.buffer.slice(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** [0, 1) with 32 bits of resolution. */
  unit(): number {
    const b = this.bytes(4);
    return ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0) / 0x1_0000_0000;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.unit() * n);
  }

  chance(p: number): boolean {
    return this.unit() < p;
  }
}

/** Cumulative weights, so a draw is a binary search instead of a walk down the list. */
class WeightedPicker {
  private readonly names: string[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(list: WeightedNames) {
    this.names = list.map(([name]) => name.normalize('NFC'));
    this.cumulative = new Float64Array(list.length);
    let sum = 0;
    list.forEach(([, weight], i) => {
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(draws: Draws): string {
    const target = draws.unit() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.names[lo]!;
  }
}

/** The part of a name that can go in an email address: ASCII letters and hyphens. */
function emailPart(name: string): string {
  return foldForSearch(name)
    .replace(/[\s'’]+/g, '')
    .replace(/[^a-z0-9-]/g, '');
}

function pickDomain(draws: Draws): string {
  let u = draws.unit();
  for (const [domain, share] of EMAIL_DOMAINS) {
    if (u < share) return domain;
    u -= share;
  }
  return EMAIL_DOMAINS[0][0];
}

/** A French mobile number, E.164: +336… for most, +337… (opened later, 073–079) for a growing share. */
function mobileNumber(draws: Draws): string {
  let nsn: string;
  if (draws.chance(0.7)) {
    nsn = '6' + String(draws.below(100_000_000)).padStart(8, '0');
  } else {
    nsn = '7' + String(3 + draws.below(7)) + String(draws.below(10_000_000)).padStart(7, '0');
  }
  return `+33${nsn}`;
}

function consentsFor(draws: Draws): Consents {
  const marketing = draws.chance(0.55);
  // People who accept one use tend to accept the next; few accept profiling.
  const personalisedOffers = draws.chance(marketing ? 0.6 : 0.12);
  const profiling = draws.chance(personalisedOffers ? 0.35 : 0.03);
  return { marketing, personalisedOffers, profiling };
}

/**
 * Fills a store with `count` believable French members, the same ones for the
 * same seed, so demos, end-to-end tests and the benchmark meet a shop's worth
 * of customers. Contacts are unique (enrolment refuses duplicates) and
 * checked against what the store already holds; card numbers are issued by
 * the store's own allocator under the demo terminal code, so the serials run
 * 1..count on an empty store and the terminal's counter stays right.
 */
export function seedDemoMembers(store: MemberStore, options: DemoSeedOptions): number {
  const { count, seed, now } = options;
  const terminalCode = options.terminalCode ?? DEMO_TERMINAL_CODE;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`member count must be a non-negative integer: ${count}`);
  // A card number holds six digits of serial per terminal code; fail before writing anything.
  if (count > MAX_CARD_SERIAL) throw new RangeError(`at most ${MAX_CARD_SERIAL} demo members fit under one terminal code: ${count}`);
  if (count === 0) return 0;

  const draws = new Draws(seededRandom(seed));
  const female = new WeightedPicker(FEMALE_FIRST_NAMES);
  const male = new WeightedPicker(MALE_FIRST_NAMES);
  const last = new WeightedPicker(LAST_NAMES);

  const days = Math.round(YEARS * 365.25);
  const firstDay = Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS;
  const openMs = CLOSE_UTC_MS - OPEN_UTC_MS;
  // Member i joins in the i-th slice of the period, so join times, serials and ids all grow together.
  const joinedAt = (i: number): number => {
    const position = ((i + draws.unit()) / count) * days;
    const day = Math.floor(position);
    return firstDay + day * DAY_MS + OPEN_UTC_MS + Math.floor((position - day) * openMs);
  };

  const phones = new Set<string>();
  const emails = new Set<string>();
  // Asking the store costs a lookup per contact; an empty store has nothing to clash with.
  const checkStore = store.count() > 0;
  const takenPhone = (phone: string) => phones.has(phone) || (checkStore && store.findByContact(null, phone) !== null);
  const takenEmail = (email: string) => emails.has(email) || (checkStore && store.findByContact(email, null) !== null);

  const uniquePhone = (): string => {
    let phone = mobileNumber(draws);
    while (takenPhone(phone)) phone = mobileNumber(draws);
    phones.add(phone);
    return phone;
  };

  const uniqueEmail = (firstName: string, lastName: string): string => {
    const local = `${emailPart(firstName)}.${emailPart(lastName)}`;
    const domain = pickDomain(draws);
    // Some people add digits (a birth year, a lucky number) even when the plain address is free.
    let candidate = draws.chance(0.15) ? `${local}${draws.below(100)}@${domain}` : `${local}@${domain}`;
    for (let digits = 100; takenEmail(candidate); digits = Math.min(digits * 10, 1_000_000)) {
      candidate = `${local}${draws.below(digits)}@${domain}`;
    }
    emails.add(candidate);
    return candidate;
  };

  let inserted = 0;
  while (inserted < count) {
    const batchEnd = Math.min(count, inserted + BATCH_SIZE);
    store.transaction(() => {
      for (let i = inserted; i < batchEnd; i++) {
        const createdAt = joinedAt(i);
        const firstName = (draws.chance(0.52) ? female : male).pick(draws);
        const lastName = last.pick(draws);
        const contact = draws.unit();
        // Most give both; some only a phone, fewer only an email, a handful neither.
        const hasEmail = contact < 0.7 || (contact >= 0.85 && contact < 0.97);
        const hasPhone = contact < 0.85;
        const phone = hasPhone ? uniquePhone() : null;
        const email = hasEmail ? uniqueEmail(firstName, lastName) : null;
        const locale: Locale = draws.chance(0.94) ? 'fr' : 'en';
        const consents = consentsFor(draws);
        const year = new Date(createdAt).getUTCFullYear();
        store.insert({
          id: uuidv7({ now: () => createdAt }, draws),
          firstName,
          lastName,
          email,
          phone,
          locale,
          cardNumber: store.allocateCardNumber(terminalCode),
          createdAt,
          terminalId: DEMO_TERMINAL_ID,
          consents,
          consentWordingVersion: `${year}-01.${locale}-1`,
          consentSource: DEMO_CONSENT_SOURCE,
        });
      }
    });
    inserted = batchEnd;
  }
  return inserted;
}

/** Seeds the configured demo store into an empty terminal, once; returns how many members it added. */
export function seedDemoStoreIfEmpty(store: MemberStore, demoSeed: { members: number; seed: number } | null, now: number): number {
  if (!demoSeed || store.count() > 0) return 0;
  return seedDemoMembers(store, { count: demoSeed.members, seed: demoSeed.seed, now });
}
