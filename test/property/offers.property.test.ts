import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateOffers, type ContactCaps, type MemberFacts } from '../../src/shared/offers/evaluate';
import { requiredConsents, validateOfferRules, type OfferRule } from '../../src/shared/offers/rules';
import { seededRandom } from '../../src/main/core/ports';
import { generateBasket, generateOfferRules, OFFER_CATEGORIES } from '../fakes/offer-rules';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 7, 10);
const ALL_CATEGORIES = [...OFFER_CATEGORIES];

/** A rule set of every shape, valid against the programme's categories. */
const ruleSet = fc.integer({ min: 0, max: 2 ** 31 }).map((seed) => {
  const check = validateOfferRules(generateOfferRules(seededRandom(seed), 60, T0), { categories: ALL_CATEGORIES });
  if (!check.ok) throw new Error(check.problems.join('\n'));
  return check.rules;
});
const basket = fc.integer({ min: 0, max: 2 ** 31 }).map((seed) => generateBasket(seededRandom(seed), 40).map((l) => ({ ...l, netCents: l.unitPriceCents * l.quantity })));
const member = fc.record({
  tier: fc.constantFrom('gold', 'basic', null),
  consents: fc.record({ personalisedOffers: fc.boolean(), profiling: fc.boolean() }),
  lastVisitAt: fc.option(fc.integer({ min: T0 - 200 * DAY, max: T0 }), { nil: null }),
  categoryShares: fc.dictionary(fc.constantFrom(...ALL_CATEGORIES), fc.double({ min: 0, max: 1, noNaN: true })),
  fewerContacts: fc.boolean(),
}) satisfies fc.Arbitrary<MemberFacts>;
const caps = fc.record({ perVisit: fc.integer({ min: 0, max: 5 }), perWeek: fc.integer({ min: 0, max: 6 }), perMonth: fc.integer({ min: 0, max: 12 }) }) satisfies fc.Arbitrary<ContactCaps>;
const now = (at: number) => ({ at, weekday: ((Math.floor(at / DAY) + 3) % 7) + 1, hour: new Date(at).getUTCHours() });
const noPressure = { shown: [], otherContacts: [], currentVisit: new Set<string>(), answeredThisVisit: new Set<string>() };

describe('offers properties', () => {
  it('never returns an offer, nor a hint, to a member without the consents its rule needs', () => {
    // Generous caps, and a draw of the history rules alone half the time: the best offers must not hide the others.
    const roomy = fc.record({ perVisit: fc.integer({ min: 0, max: 60 }), perWeek: fc.integer({ min: 0, max: 60 }), perMonth: fc.integer({ min: 0, max: 60 }) });
    const someRules = fc.tuple(ruleSet, fc.boolean()).map(([rules, historyOnly]) => (historyOnly ? rules.filter((r) => r.conditions.history) : rules));
    fc.assert(
      fc.property(someRules, basket, member, roomy, (rules, lines, facts, limits) => {
        const result = evaluateOffers({ rules, lines, member: facts, pressure: noPressure, caps: limits, now: now(T0) });
        const byId = new Map(rules.map((r) => [r.id, r]));
        const ruled = [...result.offers.map((o) => o.ruleId), ...(result.hint ? [result.hint.ruleId] : [])];
        for (const id of ruled) {
          const rule = byId.get(id)!;
          expect(facts.consents.personalisedOffers).toBe(true);
          if (rule.conditions.history) expect(facts.consents.profiling).toBe(true);
          for (const consent of requiredConsents(rule)) expect(facts.consents[consent]).toBe(true);
        }
        if (facts.fewerContacts) expect(ruled).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('derives the profiling consent from a history condition, whatever else the rule says', () => {
    const rule: OfferRule = {
      id: 'retour',
      label: { fr: 'Bon retour', en: 'Welcome back' },
      conditions: { history: { daysSinceLastVisit: { min: 30 }, usuallyBuys: [], usuallyNotBuys: [], usualShare: 0.25 } },
      offer: { kind: 'voucher', cents: 500 },
      cap: { times: 1, days: 30 },
      priority: 1,
    };
    const facts: MemberFacts = { tier: null, consents: { personalisedOffers: true, profiling: false }, lastVisitAt: T0 - 60 * DAY, categoryShares: {}, fewerContacts: false };
    const limits = { perVisit: 3, perWeek: 3, perMonth: 3 };
    expect(evaluateOffers({ rules: [rule], lines: [], member: facts, pressure: noPressure, caps: limits, now: now(T0) }).offers).toEqual([]);
    const consenting = { ...facts, consents: { personalisedOffers: true, profiling: true } };
    expect(evaluateOffers({ rules: [rule], lines: [], member: consenting, pressure: noPressure, caps: limits, now: now(T0) }).offers.map((o) => o.ruleId)).toEqual(['retour']);
  });

  it('holds every cap over any sequence of visits when the offers shown are recorded', () => {
    const visit = fc.record({ afterHours: fc.integer({ min: 0, max: 96 }), basketSeed: fc.integer({ min: 0, max: 2 ** 31 }), previews: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(ruleSet, caps, fc.array(visit, { minLength: 1, maxLength: 25 }), fc.array(fc.integer({ min: 0, max: 60 * 24 }), { maxLength: 5 }), (rules, limits, visits, otherMinutes) => {
        const facts: MemberFacts = { tier: 'gold', consents: { personalisedOffers: true, profiling: true }, lastVisitAt: T0 - 30 * DAY, categoryShares: { bio: 0.5 }, fewerContacts: false };
        const shown: Array<{ ruleId: string; at: number }> = [];
        const otherContacts: number[] = [];
        let at = T0;
        for (const v of visits) {
          at += v.afterHours * 3_600_000;
          for (const m of otherMinutes) if (m === v.afterHours) otherContacts.push(at);
          const lines = generateBasket(seededRandom(v.basketSeed), 40).map((l) => ({ ...l, netCents: l.unitPriceCents * l.quantity }));
          const currentVisit = new Set<string>();
          // The basket is previewed several times in a visit: what was shown stays, and is counted once.
          for (let p = 0; p < v.previews; p++) {
            const result = evaluateOffers({ rules, lines: lines.slice(0, 40 - p * 5), member: facts, pressure: { shown, otherContacts, currentVisit, answeredThisVisit: new Set<string>() }, caps: limits, now: now(at) });
            expect(result.offers.length).toBeLessThanOrEqual(limits.perVisit);
            for (const o of result.offers) {
              expect(o.fresh).toBe(!currentVisit.has(o.ruleId));
              if (o.fresh) {
                shown.push({ ruleId: o.ruleId, at });
                currentVisit.add(o.ruleId);
              }
            }
            expect(currentVisit.size).toBeLessThanOrEqual(limits.perVisit);
            // A fresh offer is shown only with room under the caps on every contact, offers or not.
            if (result.offers.some((o) => o.fresh)) {
              const contacts = [...shown.map((s) => s.at), ...otherContacts];
              expect(contacts.filter((x) => x > at - 7 * DAY).length).toBeLessThanOrEqual(limits.perWeek);
              expect(contacts.filter((x) => x > at - 30 * DAY).length).toBeLessThanOrEqual(limits.perMonth);
            }
          }
          facts.lastVisitAt = at;
        }
        // Every window, per rule and of offers overall, is inside its cap.
        for (const s of shown) {
          const rule = rules.find((r) => r.id === s.ruleId)!;
          const inWindow = shown.filter((x) => x.ruleId === s.ruleId && x.at >= s.at && x.at < s.at + rule.cap.days * DAY).length;
          expect(inWindow).toBeLessThanOrEqual(rule.cap.times);
          expect(shown.filter((x) => x.at >= s.at && x.at < s.at + 7 * DAY).length).toBeLessThanOrEqual(limits.perWeek);
          expect(shown.filter((x) => x.at >= s.at && x.at < s.at + 30 * DAY).length).toBeLessThanOrEqual(limits.perMonth);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same offers whichever order the rules come in', () => {
    fc.assert(
      fc.property(ruleSet, basket, fc.integer({ min: 0, max: 1000 }), (rules, lines, shift) => {
        const facts: MemberFacts = { tier: 'gold', consents: { personalisedOffers: true, profiling: true }, lastVisitAt: T0 - 20 * DAY, categoryShares: { bio: 0.4 }, fewerContacts: false };
        const limits = { perVisit: 3, perWeek: 10, perMonth: 20 };
        const k = shift % rules.length;
        const rotated = [...rules.slice(k), ...rules.slice(0, k)];
        const a = evaluateOffers({ rules, lines, member: facts, pressure: noPressure, caps: limits, now: now(T0) });
        const b = evaluateOffers({ rules: rotated, lines, member: facts, pressure: noPressure, caps: limits, now: now(T0) });
        expect(b).toEqual(a);
      }),
      { numRuns: 50 },
    );
  });
});
