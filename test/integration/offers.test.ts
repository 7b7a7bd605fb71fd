import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, MethodName, OffersShown, PreviewOffers, Result, Role } from '../../src/shared/contract';
import type { OfferRule } from '../../src/shared/offers/rules';
import { createCore, type Core } from '../../src/main/core/core';
import { VISIT_MS } from '../../src/main/core/offers/offers';
import { storeProgrammeVersions } from '../../src/main/core/programme/programme-book';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

const DAY = 86_400_000;
let dir: string;
let core: Core;
let known: KnownMembers;
let events: Array<{ name: EventName; payload: unknown }>;
/** The terminal's clock, moved by the tests. */
let now: number;

/** Through the dispatch every screen uses; a refusal fails the test with its error. */
const ok = async <T>(role: Role, method: MethodName, input: unknown): Promise<T> => {
  const result: Result<unknown> = await core.dispatch(role, method, input);
  if (result.ok) return result.value as T;
  throw new Error(`${method} refused: ${JSON.stringify(result.error)}`);
};

const organic: OfferRule = {
  id: 'cours-cuisine',
  label: { fr: 'Un cours de cuisine offert', en: 'A free cooking class' },
  conditions: { basket: { match: 'any', categories: [{ category: 'bio', minCents: 1_000 }], skus: [] } },
  offer: { kind: 'booking', benefitId: 'cours-cuisine' },
  cap: { times: 2, days: 30 },
  priority: 10,
};
const regular: OfferRule = {
  id: 'habitue-bio',
  label: { fr: 'Double points sur le bio', en: 'Double points on organic' },
  conditions: { history: { usuallyBuys: ['bio'], usuallyNotBuys: [], usualShare: 0.5 } },
  offer: { kind: 'bonus_points', points: 50, target: { category: 'bio' } },
  cap: { times: 5, days: 7 },
  priority: 5,
};

const basket = (memberId: string, bioCents = 1_500) => ({
  memberId,
  lines: [
    { category: 'grocery', taxRateBp: 550, amountCents: 2_000 },
    { category: 'bio', taxRateBp: 550, amountCents: bioCents },
  ],
  redeemPoints: 0,
});
const preview = async (memberId: string, bioCents?: number) => (await ok<{ offers: PreviewOffers }>('cashier', 'ledger.manualPreview', basket(memberId, bioCents))).offers;
const written = () => core.db.prepare('SELECT member_id, rule_id, shown_at, answer FROM offer_contact ORDER BY id').all() as Array<{ member_id: string; rule_id: string; answer: string }>;
/** The contact ledger with the showings of the last preview written (they are, on the event loop's next turn). */
const contacts = () => {
  core.offers.flush();
  return written();
};
const shownEvents = () => events.filter((e) => e.name === 'offers.shown').map((e) => e.payload as OffersShown);

function consent(memberId: string, purpose: 'personalisedOffers' | 'profiling', granted: boolean) {
  core.db
    .prepare("INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, ?, ?, '2026-11.fr-1', ?, 'test')")
    .run(memberId, purpose, granted ? 1 : 0, now);
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-offers-'));
  now = Date.UTC(2026, 11, 7, 10);
  core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => now },
    random: seededRandom(3),
    logger: silentLogger,
    validateOutput: true,
  });
  known = insertKnownMembers(core.members);
  events = [];
  core.bus.subscribe((name, payload) => events.push({ name, payload }));
  await core.start();
  core.offers.install([organic, regular]);
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('offers at the till', () => {
  it('writes the offers shown on the event loop\'s next turn, not inside the preview', async () => {
    const claire = known.claire.id;
    consent(claire, 'personalisedOffers', true);
    await ok('cashier', 'member.select', { memberId: claire });
    expect((await preview(claire)).offers).toHaveLength(1);
    expect(written()).toEqual([]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(written().map((c) => c.rule_id)).toEqual(['cours-cuisine']);
  });

  it('shows nothing to a member without the personalised-offers consent, and writes nothing', async () => {
    const claire = known.claire.id;
    await ok('cashier', 'member.select', { memberId: claire });
    expect(await preview(claire)).toEqual({ offers: [], hint: null });
    expect(contacts()).toEqual([]);
    expect(shownEvents()).toEqual([]);
  });

  it('shows a basket offer once per visit however often the basket is previewed, to the customer screen, with a hint for the cashier', async () => {
    const claire = known.claire.id;
    consent(claire, 'personalisedOffers', true);
    await ok('cashier', 'member.select', { memberId: claire });
    const first = await preview(claire);
    expect(first.offers.map((o) => [o.ruleId, o.fresh])).toEqual([['cours-cuisine', true]]);
    expect(first.hint).toEqual({ kind: 'cross_sell', ruleId: 'cours-cuisine', text: { fr: 'Proposer : Un cours de cuisine offert', en: 'Suggest: A free cooking class' } });
    now += 60_000;
    const again = await preview(claire);
    expect(again.offers.map((o) => [o.ruleId, o.fresh])).toEqual([['cours-cuisine', false]]);
    expect(contacts().map((c) => [c.member_id, c.rule_id, c.answer])).toEqual([[claire, 'cours-cuisine', 'none']]);
    // The customer screen hears of it once; a history rule needs the profiling consent Claire did not give.
    expect(shownEvents().map((e) => e.offers.map((o) => o.ruleId))).toEqual([['cours-cuisine']]);
  });

  it('records the customer\'s answer once, from the customer screen only, and does not show the offer again in the visit', async () => {
    const claire = known.claire.id;
    consent(claire, 'personalisedOffers', true);
    await ok('cashier', 'member.select', { memberId: claire });
    await preview(claire);
    const byCashier = await core.dispatch('cashier', 'offers.answer', { ruleId: 'cours-cuisine', answer: 'accepted' });
    expect(byCashier.ok).toBe(false);
    expect(await ok('customer', 'offers.answer', { ruleId: 'cours-cuisine', answer: 'accepted' })).toEqual({ recorded: true, booked: null, bookingRefused: null });
    expect(await ok('customer', 'offers.answer', { ruleId: 'cours-cuisine', answer: 'refused' })).toEqual({ recorded: false });
    expect(contacts().map((c) => c.answer)).toEqual(['accepted']);
    now += 60_000;
    expect((await preview(claire)).offers).toEqual([]);
    // The next visit may show it again (its cap is twice in 30 days), and the cap then holds.
    now += VISIT_MS + 1;
    expect((await preview(claire)).offers.map((o) => o.ruleId)).toEqual(['cours-cuisine']);
    now += VISIT_MS + 1;
    expect((await preview(claire)).offers).toEqual([]);
    expect(contacts()).toHaveLength(2);
  });

  it('« moins de sollicitations » on the customer screen stops the next offer and clears the screen', async () => {
    const claire = known.claire.id;
    consent(claire, 'personalisedOffers', true);
    await ok('cashier', 'member.select', { memberId: claire });
    expect(await ok('customer', 'offers.fewerContacts', { on: true })).toEqual({ fewerContacts: true });
    expect(shownEvents().at(-1)).toEqual({ memberId: claire, at: now, offers: [] });
    expect(await preview(claire)).toEqual({ offers: [], hint: null });
    expect(contacts()).toEqual([]);
    await ok('customer', 'offers.fewerContacts', { on: false });
    expect((await preview(claire)).offers.map((o) => o.ruleId)).toEqual(['cours-cuisine']);
  });

  it('learns habits only with the profiling consent, and shows a history offer only with it', async () => {
    const [claire, helene] = [known.claire.id, known.helene.id];
    for (const id of [claire, helene]) consent(id, 'personalisedOffers', true);
    consent(helene, 'profiling', true);
    for (const id of [claire, helene]) {
      await ok('cashier', 'ledger.manualCommit', basket(id));
      now += DAY;
    }
    const habits = () => core.db.prepare('SELECT member_id, visits, categories FROM offer_member_habit').all();
    // Written on the event loop's next turn, apart from the sale's own commit.
    expect(habits()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(habits()).toEqual([{ member_id: helene, visits: 1, categories: JSON.stringify({ grocery: 1, bio: 1 }) }]);
    expect((await preview(helene, 100)).offers.map((o) => o.ruleId)).toEqual(['habitue-bio']);
    expect((await preview(claire, 100)).offers).toEqual([]);
  });

  it('reads the member\'s tier as the last pull left it', async () => {
    const [claire, helene] = [known.claire.id, known.helene.id];
    for (const id of [claire, helene]) consent(id, 'personalisedOffers', true);
    core.offers.install([{ ...organic, id: 'or-seulement', conditions: { ...organic.conditions, tiers: ['gold'] } }]);
    core.db
      .prepare("INSERT INTO member_tier (member_id, tier, label, next_tier, next_label, gap_cents, ranked_at, received_at) VALUES (?, 'gold', ?, NULL, NULL, NULL, ?, ?)")
      .run(helene, JSON.stringify({ fr: 'Or', en: 'Gold' }), now, now);
    expect((await preview(helene)).offers.map((o) => o.ruleId)).toEqual(['or-seulement']);
    expect((await preview(claire)).offers).toEqual([]);
  });

  it('refuses a rule set naming an unknown category with every problem, and keeps the rules in force', async () => {
    const bad = { ...organic, id: 'poisson', conditions: { basket: { categories: [{ category: 'poissonnerie' }] } } };
    expect(() => core.offers.install([organic, bad])).toThrow(/invalid offer rules/);
    try {
      core.offers.install([bad]);
    } catch (error) {
      expect((error as { issues?: unknown }).issues).toEqual([
        { path: '0.conditions.basket.categories.0.category', message: '0.conditions.basket.categories.0.category: « poissonnerie » is not a category of the programme' },
      ]);
    }
    expect(core.offers.ruleCount).toBe(2);
    expect(JSON.parse(core.db.prepare('SELECT rules FROM offer_rule_set').pluck().get() as string).map((r: OfferRule) => r.id)).toEqual(['cours-cuisine', 'habitue-bio']);
  });
});

describe('offers published with the programme', () => {
  const version = (id: string, effectiveFrom: number, extra: Record<string, unknown>) => ({
    version: id,
    effectiveFrom,
    document: JSON.stringify({ ...DEFAULT_PROGRAMME_DOCUMENT, version: id, effectiveFrom: new Date(effectiveFrom).toISOString(), ...extra }),
    publishedAt: effectiveFrom,
    keyId: 'hq-test',
    signature: 'test',
  });
  const freshOffer: OfferRule = { ...organic, id: 'atelier-fraicheur', label: { fr: 'Atelier fraîcheur', en: 'Freshness workshop' } };

  it('applies the version in force: its offers replace the installed ones from its effective time, its caps with them', async () => {
    const claire = known.claire.id;
    consent(claire, 'personalisedOffers', true);
    await ok('cashier', 'member.select', { memberId: claire });
    storeProgrammeVersions(core.db, [version('fr-2027.1', now + DAY, { offers: [freshOffer], contactCaps: { perVisit: 1, perWeek: 2, perMonth: 4 } })], now);
    // Not in force yet: the installed rules.
    expect((await preview(claire)).offers.map((o) => o.ruleId)).toEqual(['cours-cuisine']);

    now += DAY + VISIT_MS;
    expect((await preview(claire)).offers.map((o) => o.ruleId)).toEqual(['atelier-fraicheur']);
    expect(shownEvents().at(-1)!.offers.map((o) => o.ruleId)).toEqual(['atelier-fraicheur']);
    // The programme's week cap is two contacts, the installed offer's one included: the next visit shows nothing.
    now += VISIT_MS + 60_000;
    expect((await preview(claire)).offers).toEqual([]);
  });

  it('leaves the installed rules in force under a version without offers, and shows none under one whose offers are empty', async () => {
    const helene = known.helene.id;
    consent(helene, 'personalisedOffers', true);
    await ok('cashier', 'member.select', { memberId: helene });
    storeProgrammeVersions(core.db, [version('fr-2027.1', now - DAY, {}), version('fr-2027.2', now + DAY, { offers: [] })], now);
    expect((await preview(helene)).offers.map((o) => o.ruleId)).toEqual(['cours-cuisine']);
    now += DAY + VISIT_MS;
    expect((await preview(helene)).offers).toEqual([]);
  });
});

describe('an accepted booking offer', () => {
  const workshop = { id: 'cours-cuisine', kind: 'workshop', label: { fr: 'Cours de cuisine', en: 'Cooking class' }, date: '2027-01-16', capacity: 1, pricePoints: null, tiers: ['basic'] };
  const publish = () =>
    storeProgrammeVersions(
      core.db,
      [
        {
          version: 'fr-2026.12',
          effectiveFrom: now - DAY,
          document: JSON.stringify({ ...DEFAULT_PROGRAMME_DOCUMENT, version: 'fr-2026.12', benefits: [workshop], offers: [organic] }),
          publishedAt: now - DAY,
          keyId: 'hq-test',
          signature: 'test',
        },
      ],
      now,
    );
  const accept = (ruleId: string) => ok<{ recorded: boolean; booked?: { benefitId: string } | null; bookingRefused?: string | null }>('customer', 'offers.answer', { ruleId, answer: 'accepted' });

  it('books the benefit at once for the member on the screen; the next member finds it full and is told why', async () => {
    // Stored by a pull while the terminal runs: seen at once, by the offers and by the benefits.
    publish();
    for (const who of [known.claire.id, known.helene.id]) consent(who, 'personalisedOffers', true);

    await ok('cashier', 'member.select', { memberId: known.claire.id });
    expect((await preview(known.claire.id)).offers.map((o) => o.ruleId)).toEqual(['cours-cuisine']);
    expect(await accept('cours-cuisine')).toMatchObject({ recorded: true, booked: { benefitId: 'cours-cuisine' }, bookingRefused: null });
    expect(core.db.prepare("SELECT member_id FROM benefit_booking WHERE benefit_id = 'cours-cuisine' AND status = 'booked'").pluck().all()).toEqual([known.claire.id]);

    await ok('cashier', 'member.select', { memberId: known.helene.id });
    expect((await preview(known.helene.id)).offers.map((o) => o.ruleId)).toEqual(['cours-cuisine']);
    expect(await accept('cours-cuisine')).toMatchObject({ recorded: true, booked: null, bookingRefused: 'benefits.benefit_full' });
    expect(core.db.prepare("SELECT count(*) AS n FROM benefit_booking WHERE benefit_id = 'cours-cuisine'").get()).toEqual({ n: 1 });
  });
});
