import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Benefits } from '../../src/main/core/benefits/benefits';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import type { ProgrammeParts } from '../../src/main/core/benefits/programme-parts';
import type { SeatAsk, SeatOutcome } from '../../src/main/core/benefits/seat-client';
import { membershipSale } from '../../src/shared/programme/benefits';
import type { Benefit } from '../../src/shared/programme/document';
import { line, openHarness, rejection, sale, WEDNESDAY_10H, type Harness } from './ledger-fixture';

/**
 * Relational benefits and the paid membership at the terminal (issue 14
 * items 6 and 7), against a real ledger and an HQ seat counter in memory:
 * capacity is never passed, even by bookings asked at once; a booking past
 * capacity, or a membership sold twice for one period, is refused and
 * writes nothing; a cancellation gives the points back once; offline, only
 * the seats allotted to the store can be booked.
 */
const DAY = 86_400_000;
const workshop: Benefit = {
  id: 'atelier-pain',
  kind: 'workshop',
  label: { fr: 'Atelier pain au levain', en: 'Sourdough workshop' },
  date: '2026-12-12',
  capacity: 3,
  pricePoints: 100,
  tiers: ['gold'],
};
const preview: Benefit = { ...workshop, id: 'avant-premiere', kind: 'preview', label: { fr: 'Avant-première', en: 'Preview' }, capacity: 50, pricePoints: 80, tiers: [] };
const membership = {
  label: { fr: 'Adhésion Fidèle+', en: 'Fidèle+ membership' },
  priceCents: 2900,
  sku: 'ADHESION-FIDELE',
  periodMonths: 12,
  benefits: ['avant-premiere'],
  earnMultiplierPercent: 200,
  multiplierCategories: ['fresh'],
};
const parts: ProgrammeParts = { version: 'test', benefits: [workshop, preview], membership };

/** HQ's seat counter, answering after a turn of the event loop so concurrent asks interleave. */
class FakeHq {
  taken = new Map<string, number>();
  allotted = new Map<string, number>();
  bookings = new Map<string, 'booked' | 'cancelled'>();
  reachable = true;
  asks: SeatAsk[] = [];

  async ask(a: SeatAsk): Promise<SeatOutcome> {
    this.asks.push(a);
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (!this.reachable) return { kind: 'unavailable', reason: 'HQ unreachable' };
    const capacity = parts.benefits.find((b) => b.id === a.benefitId)!.capacity;
    let taken = this.taken.get(a.benefitId) ?? 0;
    let allotted = this.allotted.get(a.benefitId) ?? 0;
    let booking: 'booked' | 'cancelled' | null = null;
    if (a.action === 'allot') {
      const granted = Math.min(a.seats, allotted + capacity - taken);
      taken += granted - allotted;
      allotted = granted;
    } else if (a.action === 'take') {
      if (!this.bookings.has(a.bookingId!)) {
        if (a.fromAllotment && allotted > 0) allotted -= 1;
        else if (taken >= capacity) return { kind: 'refused', code: 'benefit_full', message: 'no seat left' };
        else taken += 1;
        this.bookings.set(a.bookingId!, 'booked');
      }
      booking = this.bookings.get(a.bookingId!)!;
    } else {
      if (this.bookings.get(a.bookingId!) === 'booked') taken -= 1;
      this.bookings.set(a.bookingId!, 'cancelled');
      booking = 'cancelled';
    }
    this.taken.set(a.benefitId, taken);
    this.allotted.set(a.benefitId, allotted);
    return { kind: 'answer', answer: { benefitId: a.benefitId, capacity, taken, left: capacity - taken, allotted, booking } };
  }
}

let h: Harness;
let hq: FakeHq;
let benefits: Benefits;
let online: boolean;
let standalone: boolean;
const tiers = new Map<string, string>();
const changed: string[] = [];

function build(): Benefits {
  return new Benefits({
    db: h.db,
    ledger: h.ledger,
    clock: { now: () => h.clock.value },
    random: seededRandom(21),
    logger: silentLogger,
    tierOf: (memberId) => tiers.get(memberId) ?? 'basic',
    seats: (a) => hq.ask(a),
    online: () => online,
    standalone: () => standalone,
    onChanged: (memberId) => changed.push(memberId),
    parts: () => parts,
  });
}

let receipts = 0;
/** A sale committed the way Loyalty commits one: the membership check first, the membership hook after. */
function sell(memberId: string, lines: ReturnType<typeof line>[]) {
  receipts += 1;
  const input = sale(memberId, `B-${receipts}`, lines);
  benefits.checkSale(input);
  const committed = h.ledger.commit(input);
  benefits.saleCommitted(committed, input);
  return { input, committed };
}

beforeEach(() => {
  h = openHarness();
  hq = new FakeHq();
  online = true;
  standalone = false;
  tiers.clear();
  changed.length = 0;
  benefits = build();
});

afterEach(() => h.close());

describe('booking a benefit', () => {
  it('with points: one ledger debit, the seat taken at HQ; a cancellation gives the points back once, however often it is asked', async () => {
    const claire = h.members.claire.id;
    sell(claire, [line(50_000)]);
    const before = h.ledger.points(claire).balance;
    const { booking, view } = await benefits.bookFor(claire, workshop.id, 'cashier');
    expect(booking).toMatchObject({ via: 'points', points: 100, seat: 'chain' });
    expect(h.ledger.points(claire).balance).toBe(before - 100);
    expect(view.benefits.find((b) => b.id === workshop.id)).toMatchObject({ seatsLeft: 2, booking: { bookingId: booking.bookingId } });
    expect(h.ledger.history(claire, 1)[0]).toMatchObject({ kind: 'adjust', detail: { adjustment_id: `benefit:${booking.bookingId}`, points: -100 } });
    expect(changed).toContain(claire);

    const cancelled = await benefits.cancel(claire, booking.bookingId, 'cashier');
    expect(cancelled.benefits.find((b) => b.id === workshop.id)!.booking).toBeNull();
    expect(h.ledger.points(claire).balance).toBe(before);
    expect(hq.taken.get(workshop.id)).toBe(0);
    await benefits.cancel(claire, booking.bookingId, 'cashier');
    expect(h.ledger.points(claire).balance).toBe(before);
    expect(h.ledger.history(claire, 10).filter((e) => e.detail.adjustment_id === `benefit-cancel:${booking.bookingId}`)).toHaveLength(1);
  });

  it('by tier entitlement: a gold member books for no points', async () => {
    const helene = h.members.helene.id;
    tiers.set(helene, 'gold');
    const head = h.ledger.head().seq;
    const { booking } = await benefits.bookFor(helene, workshop.id, 'customer');
    expect(booking).toMatchObject({ via: 'tier', points: 0 });
    expect(h.ledger.head().seq).toBe(head);
  });

  it('never passes the capacity, even with bookings asked at once; the one past it is refused with benefit_full and writes nothing', async () => {
    // Three members entitled by tier ask at once for the last two seats (another store took the first).
    const others = [h.members.claire.id, h.members.helene.id, h.members.zoe.id];
    for (const id of others) tiers.set(id, 'gold');
    hq.taken.set(workshop.id, 1);
    const outcomes = await Promise.allSettled(others.map((id) => benefits.bookFor(id, workshop.id, 'cashier')));
    const booked = outcomes.filter((o) => o.status === 'fulfilled');
    expect(booked).toHaveLength(2);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.code).toBe('conflict');
    expect(refused.reason.issues).toEqual([{ path: 'benefitId', message: 'benefits.benefit_full' }]);
    expect(hq.taken.get(workshop.id)).toBe(3);
    expect(h.db.prepare("SELECT count(*) AS n FROM benefit_booking WHERE status = 'booked'").get()).toEqual({ n: 2 });
  });

  it('past capacity with points: refused, no points taken, no booking row', async () => {
    const claire = h.members.claire.id;
    sell(claire, [line(50_000)]);
    hq.taken.set(workshop.id, workshop.capacity);
    const snapshot = h.snapshot();
    const failure = await rejection(benefits.bookFor(claire, workshop.id, 'cashier'));
    expect(failure.issues).toEqual([{ path: 'benefitId', message: 'benefits.benefit_full' }]);
    expect(h.snapshot()).toBe(snapshot);
    expect(h.db.prepare('SELECT count(*) AS n FROM benefit_booking').get()).toEqual({ n: 0 });
  });

  it('refuses a second booking of the same benefit, a member without the points, a benefit not in the programme', async () => {
    const claire = h.members.claire.id;
    expect((await rejection(benefits.bookFor(claire, workshop.id, 'cashier'))).issues).toEqual([{ path: 'benefitId', message: 'benefits.benefit_points_short' }]);
    tiers.set(claire, 'gold');
    await benefits.bookFor(claire, workshop.id, 'cashier');
    expect((await rejection(benefits.bookFor(claire, workshop.id, 'cashier'))).issues).toEqual([{ path: 'benefitId', message: 'benefits.benefit_booked' }]);
    expect((await rejection(benefits.bookFor(claire, 'atelier-inconnu', 'cashier'))).code).toBe('not_found');
  });

  it('offline, books only on the seats HQ allotted to the store, and reports them once HQ is back', async () => {
    const [claire, helene, zoe] = [h.members.claire.id, h.members.helene.id, h.members.zoe.id];
    for (const id of [claire, helene, zoe]) tiers.set(id, 'gold');
    const big = { ...preview, id: 'atelier-grand', capacity: 20, tiers: ['gold'] };
    parts.benefits.push(big);
    try {
      await benefits.refresh();
      // A tenth of 20: two seats set aside for this store, counted as taken at HQ.
      expect(hq.allotted.get(big.id)).toBe(2);
      expect(hq.taken.get(big.id)).toBe(2);
      online = false;
      hq.reachable = false;
      await benefits.bookFor(claire, big.id, 'cashier');
      await benefits.bookFor(helene, big.id, 'cashier');
      const failure = await rejection(benefits.bookFor(zoe, big.id, 'cashier'));
      expect(failure.issues).toEqual([{ path: 'benefitId', message: 'benefits.benefit_full_offline' }]);
      expect(hq.asks.filter((a) => a.action === 'take')).toHaveLength(0);

      online = true;
      hq.reachable = true;
      await benefits.refresh();
      // The two offline bookings used the allotted seats: HQ's count did not move for them.
      expect([...hq.bookings.values()]).toEqual(['booked', 'booked']);
      expect(hq.taken.get(big.id)).toBe(4);
      expect(benefits.book.unreported()).toEqual([]);
    } finally {
      parts.benefits.pop();
    }
  });
});

describe('a terminal with no HQ', () => {
  it('counts the seats itself: books up to the capacity, then refuses with benefit_full and writes nothing', async () => {
    standalone = true;
    online = false;
    const members = [h.members.claire.id, h.members.helene.id, h.members.zoe.id];
    for (const id of members) tiers.set(id, 'gold');
    const small = { ...workshop, id: 'atelier-petit', capacity: 2 };
    parts.benefits.push(small);
    try {
      await benefits.bookFor(members[0]!, small.id, 'cashier');
      expect(benefits.view(members[1]!).benefits.find((b) => b.id === small.id)!.seatsLeft).toBe(1);
      await benefits.bookFor(members[1]!, small.id, 'cashier');
      const failure = await rejection(benefits.bookFor(members[2]!, small.id, 'cashier'));
      expect(failure.issues).toEqual([{ path: 'benefitId', message: 'benefits.benefit_full' }]);
      expect(benefits.book.liveCount(small.id)).toBe(2);
      expect(hq.asks).toEqual([]);
    } finally {
      parts.benefits.pop();
    }
  });
});

describe('the paid membership', () => {
  it('a sale of its line records the period; a second one for the same period is refused with nothing written', () => {
    const claire = h.members.claire.id;
    sell(claire, [line(2900, { sku: membership.sku, category: 'grocery' })]);
    const view = benefits.view(claire);
    expect(view.membership).toMatchObject({ current: { start: '2026-11-18', end: '2027-11-17' }, renewalOffered: false, valueCents: 0 });

    const snapshot = h.snapshot();
    receipts += 1;
    const again = sale(claire, `B-${receipts}`, [line(2900, { sku: membership.sku, category: 'grocery' })]);
    let failure: unknown = null;
    try {
      benefits.checkSale(again);
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'conflict', issues: [{ path: 'lines', message: 'benefits.membership_already' }] });
    expect(h.snapshot()).toBe(snapshot);
    expect(h.db.prepare('SELECT count(*) AS n FROM membership').get()).toEqual({ n: 1 });
  });

  it('a till replaying the sale that bought it is not refused; renewal is offered in the last 30 days and buys the next period', () => {
    const claire = h.members.claire.id;
    const { input } = sell(claire, [line(2900, { sku: membership.sku, category: 'grocery' })]);
    expect(() => benefits.checkSale(input)).not.toThrow();
    h.clock.value = WEDNESDAY_10H + 350 * DAY;
    expect(benefits.view(claire).membership).toMatchObject({ renewalOffered: true });
    expect(benefits.receipt(claire).renewBy).toBe('2027-11-17');
    sell(claire, [line(2900, { sku: membership.sku, category: 'grocery' })]);
    expect(benefits.view(claire).membership).toMatchObject({ current: { start: '2026-11-18' }, next: { start: '2027-11-18', end: '2028-11-17' }, renewalOffered: false });
    expect(membershipSale(membership, { start: '2027-11-18', end: '2028-11-17' }, '2027-11-03')).toMatchObject({ ok: false, reason: 'membership_already' });
  });

  it('its members earn the extra points on fresh produce, and the meter shows what the membership gave back', async () => {
    const claire = h.members.claire.id;
    sell(claire, [line(2900, { sku: membership.sku, category: 'grocery' })]);
    const { committed } = sell(claire, [line(2_000, { category: 'fresh' }), line(2_000, { category: 'grocery' })]);
    // Half the basket is fresh: half its points again.
    const bonus = Math.floor(committed.pointsEarned / 2);
    expect(bonus).toBeGreaterThan(0);
    expect(h.ledger.points(claire).balance).toBe(committed.balanceAfter + bonus);
    // A benefit through the membership: booked for no points, counted at its price in points.
    const { booking } = await benefits.bookFor(claire, preview.id, 'customer');
    expect(booking).toMatchObject({ via: 'membership', points: 0 });
    const value = benefits.view(claire).membership!.valueCents;
    expect(value).toBe(Math.floor(((bonus + preview.pricePoints!) * 5) / 1));
    expect(benefits.receipt(claire)).toEqual({ bookings: [{ label: preview.label, date: preview.date }], membershipValueCents: value, renewBy: null });
    // A non-member's sale gets no bonus.
    const helene = h.members.helene.id;
    const plain = sell(helene, [line(2_000, { category: 'fresh' })]).committed;
    expect(h.ledger.points(helene).balance).toBe(plain.balanceAfter);
  });
});
