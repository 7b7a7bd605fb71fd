import type { SaleInput } from '../../../shared/contract';
import type { Db } from '../db/database';
import type { Ledger } from '../ledger/ledger';
import type { MemberStore } from '../members/member-store';
import { seededRandom } from '../ports';
import { DEMO_TERMINAL_ID } from './demo-members';

export interface DemoHistoryOptions {
  db: Db;
  /** The core's own ledger: the seed goes through its sale path, so balances, lots, expiry and visits agree. */
  ledger: Pick<Ledger, 'commit'>;
  /** Moves the ledger's clock to each sale's time; the seed puts it back (null) when done. */
  setNow(at: number | null): void;
  seed: number;
  now: number;
  /** Of the demo members, those who shop here (one in three by default) get a few months of visits. */
  share?: number;
  months?: number;
}

export interface DemoHistory {
  members: number;
  sales: number;
}

const DAY_MS = 86_400_000;
/** Sales happen while the shop is open, roughly 09:00–19:00 in Paris. */
const OPEN_UTC_MS = 8 * 3_600_000;
const OPEN_SPAN_MS = 10 * 3_600_000;
/** A seeded history is for looking at, not a load test: enough regulars for balances, visits and expiry to show. */
const MAX_SHOPPERS = 600;

const BASKETS: readonly { sku: string; label: string; category: string; cents: readonly [number, number]; taxRateBp: number }[] = [
  { sku: 'EPI-001', label: 'Épicerie', category: 'epicerie', cents: [180, 1_490], taxRateBp: 550 },
  { sku: 'BIO-001', label: 'Produits bio', category: 'bio', cents: [250, 1_290], taxRateBp: 550 },
  { sku: 'LOC-001', label: 'Produits locaux', category: 'local', cents: [300, 2_200], taxRateBp: 550 },
  { sku: 'MAI-001', label: 'Entretien', category: 'maison', cents: [190, 990], taxRateBp: 2_000 },
];

/**
 * Gives part of the demo store a past: a few months of visits per regular,
 * every one a real sale committed through the ledger at its own time (the
 * clock moved there), all in one transaction so a first start stays quick.
 * Deterministic for a given seed, member list and `now`.
 */
export function seedDemoHistory(o: DemoHistoryOptions): DemoHistory {
  const share = o.share ?? 1 / 3;
  const months = o.months ?? 5;
  const random = seededRandom(o.seed ^ 0x5a1e5);
  const unit = (): number => {
    const b = random.bytes(4);
    return ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0) / 0x1_0000_0000;
  };
  const between = (lo: number, hi: number): number => lo + Math.floor(unit() * (hi - lo + 1));

  const start = o.now - months * 30 * DAY_MS;
  const candidates = o.db
    .prepare('SELECT id, created_at AS createdAt FROM member WHERE created_by_terminal = ? AND created_at < ? ORDER BY created_at, id')
    .all(DEMO_TERMINAL_ID, start) as { id: string; createdAt: number }[];
  const shoppers = candidates.filter(() => unit() < share).slice(0, MAX_SHOPPERS);

  // Every visit of every shopper, in time order: the journal is a chain and only ever moves forward.
  const visits: { memberId: string; at: number }[] = [];
  for (const { id } of shoppers) {
    const count = between(2, 9);
    for (let v = 0; v < count; v++) {
      const day = Math.floor(start / DAY_MS) + between(0, months * 30 - 1);
      visits.push({ memberId: id, at: day * DAY_MS + OPEN_UTC_MS + Math.floor(unit() * OPEN_SPAN_MS) });
    }
  }
  visits.sort((a, b) => a.at - b.at || (a.memberId < b.memberId ? -1 : 1));

  let n = 0;
  const run = o.db.transaction(() => {
    for (const visit of visits) {
      o.setNow(visit.at);
      o.ledger.commit(demoSale(visit.memberId, ++n, between, unit));
    }
  });
  try {
    run.immediate();
  } finally {
    o.setNow(null);
  }
  return { members: shoppers.length, sales: visits.length };
}

function demoSale(memberId: string, n: number, between: (lo: number, hi: number) => number, unit: () => number): SaleInput {
  const lines = Array.from({ length: between(1, 4) }, (_, i) => {
    const item = BASKETS[Math.floor(unit() * BASKETS.length)]!;
    return {
      lineId: `L${i + 1}`,
      sku: item.sku,
      label: item.label,
      category: item.category,
      quantity: between(1, 3),
      unitPriceCents: between(item.cents[0], item.cents[1]),
      discountCents: 0,
      taxRateBp: item.taxRateBp,
      rewardId: null,
    };
  });
  const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  return {
    tillId: 'demo',
    receipt: `DEMO-${String(n).padStart(6, '0')}`,
    memberId,
    lines,
    payments: [{ method: unit() < 0.7 ? 'card' : 'cash', amountCents: total }],
    redeemPoints: 0,
  };
}

export interface DemoCard {
  cardNumber: string;
  name: string;
  balance: number;
}

/**
 * Cards worth scanning in a demo, for the start banner: demo members with
 * points, their balance read from the ledger. The earliest members first, so
 * the same store names the same cards at every start.
 */
export function demoCards(o: { db: Db; ledger: Pick<Ledger, 'points'>; members: Pick<MemberStore, 'summary'> }, count = 3): DemoCard[] {
  const ids = o.db.prepare('SELECT id FROM member WHERE created_by_terminal = ? ORDER BY created_at, id').pluck().iterate(DEMO_TERMINAL_ID) as Iterable<string>;
  const cards: DemoCard[] = [];
  for (const id of ids) {
    const balance = o.ledger.points(id).balance;
    if (balance <= 0) continue;
    const member = o.members.summary(id);
    if (member) cards.push({ cardNumber: member.cardNumber, name: `${member.firstName} ${member.lastName}`, balance });
    if (cards.length === count) break;
  }
  return cards;
}
