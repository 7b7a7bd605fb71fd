import type { SaleInput } from '../../../shared/contract';
import type { Db } from '../db/database';
import type { Ledger } from '../ledger/ledger';
import type { MemberStore } from '../members/member-store';
import type { LookupLog } from '../privacy/lookup-log';
import { seededRandom } from '../ports';
import { tierOf } from '../tiers/tier-store';
import { DEMO_TERMINAL_ID } from './demo-members';
import { assignRhythms, specOf, visitDays, type Rhythm, type RhythmSpec } from './demo-rhythms';

/** What a feature that is not the ledger's sale path can add to the demo's past; optional. */
export interface DemoHistoryHooks {
  /**
   * After each sale, inside the seed's transaction, with the clock still at the sale's time: a feature's
   * own past (a benefit booked, a membership bought) for a member whose rhythm it suits.
   */
  afterSale?(visit: DemoVisit): void;
}

export interface DemoVisit {
  memberId: string;
  rhythm: Rhythm;
  at: number;
  receipt: string;
  /** The member's how-many-th visit in the seed, from 1. */
  nth: number;
}

export interface DemoHistoryOptions {
  db: Db;
  /** The core's own ledger: the seed goes through its sale path, so balances, lots, expiry, visits, regularity and vouchers agree. */
  ledger: Pick<Ledger, 'commit' | 'points'>;
  /**
   * The core's lookup log: each visit starts with the card scanned at the till, which is what keeps a member
   * on this terminal past the retention period (privacy/retention.ts); without it, regulars who joined
   * over three years ago would be purged at the first retention pass.
   */
  lookups?: Pick<LookupLog, 'record'>;
  /** Moves the ledger's clock to each sale's time; the seed puts it back (null) when done. */
  setNow(at: number | null): void;
  seed: number;
  now: number;
  hooks?: DemoHistoryHooks;
}

export interface DemoHistory {
  members: number;
  sales: number;
  /** Shoppers per rhythm. */
  rhythms: Partial<Record<Rhythm, number>>;
  rewards: number;
  vouchers: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Sales happen while the shop is open, roughly 09:00–19:00 in Paris (08:00–18:00 UTC). */
const OPEN_UTC_HOURS = 8;
const OPEN_HOURS = 10;

/** Some of the demo catalogue (resources/products.demo.csv, HQ's demo products): SKUs and categories the offers and HQ know. */
const PRODUCTS: readonly { sku: string; label: string; category: string; cents: number; taxRateBp: number }[] = [
  { sku: 'FL-BAN', label: 'Bananes Cavendish (le kg)', category: 'fruits-legumes', cents: 189, taxRateBp: 550 },
  { sku: 'FL-SAL-BAT', label: 'Salade batavia pièce', category: 'fruits-legumes', cents: 99, taxRateBp: 550 },
  { sku: 'FL-AVO-2', label: 'Avocats prêts à manger x2', category: 'fruits-legumes', cents: 229, taxRateBp: 550 },
  { sku: 'BO-ROTI-PORC', label: 'Rôti de porc filet 800 g', category: 'boucherie', cents: 960, taxRateBp: 550 },
  { sku: 'BO-ENTREC', label: 'Entrecôte de bœuf 300 g', category: 'boucherie', cents: 890, taxRateBp: 550 },
  { sku: 'EP-HUILE-OL', label: "Huile d'olive vierge extra 75 cl", category: 'epicerie', cents: 849, taxRateBp: 550 },
  { sku: 'EP-SUCRE', label: 'Sucre en poudre 1 kg', category: 'epicerie', cents: 135, taxRateBp: 550 },
  { sku: 'EP-BISC-BEUR', label: 'Petits beurre 200 g', category: 'epicerie', cents: 149, taxRateBp: 550 },
  { sku: 'EP-CEREALES', label: 'Pétales de maïs 500 g', category: 'epicerie', cents: 239, taxRateBp: 550 },
  { sku: 'CR-YAOURT-8', label: 'Yaourts nature x8', category: 'cremerie', cents: 199, taxRateBp: 550 },
  { sku: 'CR-OEUFS-12', label: 'Œufs plein air x12', category: 'cremerie', cents: 395, taxRateBp: 550 },
  { sku: 'BL-CROISS-6', label: 'Croissants pur beurre x6', category: 'boulangerie', cents: 330, taxRateBp: 550 },
  { sku: 'BS-JUS-ORA', label: "Pur jus d'orange 1 L", category: 'boissons', cents: 245, taxRateBp: 550 },
  { sku: 'BS-BIERE-6', label: 'Bière blonde 6 x 25 cl', category: 'boissons', cents: 480, taxRateBp: 2_000 },
  { sku: 'BI-LAIT-1L', label: 'Lait entier bio 1 L', category: 'bio', cents: 145, taxRateBp: 550 },
  { sku: 'BI-QUINOA', label: 'Quinoa bio 500 g', category: 'bio', cents: 399, taxRateBp: 550 },
  { sku: 'BI-CAROTTES', label: 'Carottes bio 1 kg', category: 'bio', cents: 215, taxRateBp: 550 },
  { sku: 'SU-GLACE-VAN', label: 'Glace vanille de Madagascar 1 L', category: 'surgeles', cents: 425, taxRateBp: 550 },
  { sku: 'HY-GEL-DOUCHE', label: 'Gel douche surgras 500 ml', category: 'hygiene', cents: 269, taxRateBp: 2_000 },
  { sku: 'EN-EPONGES', label: 'Éponges grattantes x4', category: 'entretien', cents: 159, taxRateBp: 2_000 },
  { sku: 'PR-HEBDO', label: 'Magazine télé hebdomadaire', category: 'press', cents: 250, taxRateBp: 210 },
];

/** The default programme's rewards (shared/programme/default-programme.ts), taken now and then by those with the points. */
const REWARDS = [
  { rewardId: 'cafe-offert', points: 150, sku: 'REWARD-CAFE', label: 'Café offert', category: 'cafe', cents: 250, chance: 0.12 },
  { rewardId: 'sac-cabas', points: 400, sku: 'REWARD-CABAS', label: 'Sac cabas Fidèle', category: 'maison', cents: 500, chance: 0.08 },
] as const;
/** Most customers offered a voucher take it. */
const VOUCHER_TAKEN = 0.8;

/**
 * Gives the demo store two years of past (issue 14 item 9): each member a
 * rhythm (seed/demo-rhythms.ts), and each visit a real sale committed through
 * the ledger at its own time (the clock moved there), so points, lots and
 * expiry, visits, regularity and vouchers come out of the features
 * themselves, and the terminal pushes it all to HQ, whose ranking gives the
 * tiers. Rewards are taken when the points allow; a voucher a sale issued is
 * mostly spent at a later visit, as offered at the till. All in one
 * transaction, so a first start stays quick.
 * Deterministic for a given seed, member list and `now`.
 */
export function seedDemoHistory(o: DemoHistoryOptions): DemoHistory {
  const random = seededRandom(o.seed ^ 0x5a1e5);
  const unit = (): number => {
    const b = random.bytes(4);
    return ((b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0) / 0x1_0000_0000;
  };
  const between = (lo: number, hi: number): number => lo + Math.floor(unit() * (hi - lo + 1));

  const today = Math.floor(o.now / DAY_MS);
  const members = demoMembers(o.db);
  const rhythms = assignRhythms(
    unit,
    members.map((m) => Math.floor(m.createdAt / DAY_MS)),
    today,
  );

  // Every visit of every shopper, in time order: the journal is a chain and only ever moves forward.
  const visits: { memberId: string; rhythm: Rhythm; at: number; spec: RhythmSpec }[] = [];
  const counts: Partial<Record<Rhythm, number>> = {};
  members.forEach((m, i) => {
    const rhythm = rhythms[i];
    if (!rhythm) return;
    counts[rhythm] = (counts[rhythm] ?? 0) + 1;
    const spec = specOf(rhythm);
    const joinDay = Math.floor(m.createdAt / DAY_MS);
    // Regulars keep to their hour.
    const hour = unit() * (OPEN_HOURS - 1);
    for (const day of visitDays(unit, rhythm, joinDay, today)) {
      const usual = day * DAY_MS + (OPEN_UTC_HOURS + hour + unit()) * HOUR_MS;
      // The day they joined: a few minutes after, at the till.
      const at = Math.floor(day === joinDay ? m.createdAt + between(2, 20) * 60_000 : usual);
      if (at < o.now) visits.push({ memberId: m.id, rhythm, at, spec });
    }
  });
  visits.sort((a, b) => a.at - b.at || (a.memberId < b.memberId ? -1 : 1));

  const seen = new Map<string, { nth: number; balance: number; voucher: { voucherId: string; cents: number; expiresAt: number } | null }>();
  let rewards = 0;
  let vouchers = 0;
  const run = o.db.transaction(() => {
    for (const [n, visit] of visits.entries()) {
      o.setNow(visit.at);
      const member = seen.get(visit.memberId) ?? { nth: 0, balance: 0, voucher: null };
      member.nth += 1;
      const receipt = `DEMO-${String(n + 1).padStart(6, '0')}`;
      o.lookups?.record(visit.memberId, 'cashier', 'identify');
      const lines = basket(visit.spec, unit, between);
      // The balance the last sale left, which expiry may since have cut: asked again only when it could pay.
      const reward = REWARDS.find((r) => member.balance >= r.points && unit() < r.chance && o.ledger.points(visit.memberId).balance >= r.points);
      if (reward) {
        lines.push({ lineId: `L${lines.length + 1}`, sku: reward.sku, label: reward.label, category: reward.category, quantity: 1, unitPriceCents: reward.cents, discountCents: reward.cents, taxRateBp: 550, rewardId: reward.rewardId });
        rewards += 1;
      }
      const due = lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents - l.discountCents, 0);
      // The voucher the member's last sales earned (basic members, by the programme's cadence), offered now.
      const voucher = member.voucher && member.voucher.expiresAt > visit.at && member.voucher.cents <= due ? member.voucher : null;
      const useVoucher = voucher !== null && unit() < VOUCHER_TAKEN;
      if (useVoucher) vouchers += 1;
      const paid = due - (useVoucher ? voucher.cents : 0);
      const result = o.ledger.commit({
        tillId: 'demo',
        receipt,
        memberId: visit.memberId,
        lines,
        payments: paid > 0 ? [{ method: unit() < 0.7 ? 'card' : 'cash', amountCents: paid }] : [],
        redeemPoints: 0,
        ...(useVoucher ? { voucherId: voucher.voucherId } : {}),
      });
      member.balance = result.balanceAfter;
      if (useVoucher) member.voucher = null;
      if (result.vouchers?.issued) member.voucher = result.vouchers.issued;
      seen.set(visit.memberId, member);
      o.hooks?.afterSale?.({ memberId: visit.memberId, rhythm: visit.rhythm, at: visit.at, receipt, nth: member.nth });
    }
  });
  try {
    run.immediate();
  } finally {
    o.setNow(null);
  }
  keepShowcase(o.db, visits);
  return { members: seen.size, sales: visits.length, rhythms: counts, rewards, vouchers };
}

function demoMembers(db: Db): { id: string; createdAt: number }[] {
  return db.prepare('SELECT id, created_at AS createdAt FROM member WHERE created_by_terminal = ? ORDER BY created_at, id').all(DEMO_TERMINAL_ID) as { id: string; createdAt: number }[];
}

/** Lines a basket has at most: each line costs the sale path a little, and a first start pays for every one. */
const MAX_LINES = 8;

/** Articles of the catalogue up to about the rhythm's basket, a product once (its quantity grows, past MAX_LINES only that). */
function basket(spec: RhythmSpec, unit: () => number, between: (lo: number, hi: number) => number): SaleInput['lines'] {
  const target = between(spec.basketCents[0], spec.basketCents[1]);
  const picked = new Map<(typeof PRODUCTS)[number], number>();
  let total = 0;
  while (total < target) {
    const product = picked.size < MAX_LINES ? PRODUCTS[Math.floor(unit() * PRODUCTS.length)]! : [...picked.keys()][Math.floor(unit() * picked.size)]!;
    const quantity = between(1, 3);
    picked.set(product, (picked.get(product) ?? 0) + quantity);
    total += quantity * product.cents;
  }
  return [...picked].map(([p, quantity], i) => ({
    lineId: `L${i + 1}`,
    sku: p.sku,
    label: p.label,
    category: p.category,
    quantity,
    unitPriceCents: p.cents,
    discountCents: 0,
    taxRateBp: p.taxRateBp,
    rewardId: null,
  }));
}

export interface DemoCard {
  cardNumber: string;
  name: string;
  balance: number;
  /** What the card shows off: the member's rhythm, and their tier once HQ has ranked them. */
  note: string | null;
}

/** terminal_meta's key for the members the start banner names, one per rhythm worth showing. */
const SHOWCASE_KEY = 'demo.showcase';
const SHOWCASE: readonly Rhythm[] = ['weekly', 'fortnightly', 'irregular', 'returning', 'lapsed', 'new', 'monthly'];

/** Of each rhythm worth showing, the member with the most visits (the first of them in the store's order). */
function keepShowcase(db: Db, visits: readonly { memberId: string; rhythm: Rhythm }[]): void {
  const tally = new Map<string, { rhythm: Rhythm; visits: number }>();
  for (const v of visits) tally.set(v.memberId, { rhythm: v.rhythm, visits: (tally.get(v.memberId)?.visits ?? 0) + 1 });
  const best = new Map<Rhythm, { memberId: string; visits: number }>();
  for (const [memberId, t] of tally) if (t.visits > (best.get(t.rhythm)?.visits ?? 0)) best.set(t.rhythm, { memberId, visits: t.visits });
  const showcase = SHOWCASE.flatMap((rhythm) => (best.has(rhythm) ? [{ memberId: best.get(rhythm)!.memberId, rhythm }] : []));
  db.prepare('INSERT OR REPLACE INTO terminal_meta (key, value) VALUES (?, ?)').run(SHOWCASE_KEY, JSON.stringify(showcase));
}

/**
 * Cards worth scanning in a demo, for the start banner: one member per rhythm
 * the seed gave (a weekly regular, an unsteady one, one who came back, …),
 * with their balance from the ledger and their tier once HQ has sent it. A
 * store seeded before rhythms existed: the earliest members with points.
 */
export function demoCards(o: { db: Db; ledger: Pick<Ledger, 'points'>; members: Pick<MemberStore, 'summary'> }, count = SHOWCASE.length): DemoCard[] {
  const stored = o.db.prepare('SELECT value FROM terminal_meta WHERE key = ?').pluck().get(SHOWCASE_KEY) as string | undefined;
  const showcase = stored ? (JSON.parse(stored) as { memberId: string; rhythm: Rhythm }[]) : null;
  const ids: Iterable<{ memberId: string; rhythm: Rhythm | null }> = showcase ?? earliestWithPoints(o.db);
  const cards: DemoCard[] = [];
  for (const { memberId, rhythm } of ids) {
    const balance = o.ledger.points(memberId).balance;
    if (!showcase && balance <= 0) continue;
    const member = o.members.summary(memberId);
    if (!member) continue;
    const tier = tierOf(o.db, memberId);
    const notes = [rhythm ? specOf(rhythm).note : null, tier.rankedAt !== null ? tier.label.fr : null].filter((n) => n !== null);
    cards.push({ cardNumber: member.cardNumber, name: `${member.firstName} ${member.lastName}`, balance, note: notes.length > 0 ? notes.join(', ') : null });
    if (cards.length === count) break;
  }
  return cards;
}

function* earliestWithPoints(db: Db): Iterable<{ memberId: string; rhythm: null }> {
  for (const id of db.prepare('SELECT id FROM member WHERE created_by_terminal = ? ORDER BY created_at, id').pluck().iterate(DEMO_TERMINAL_ID) as Iterable<string>) {
    yield { memberId: id, rhythm: null };
  }
}
