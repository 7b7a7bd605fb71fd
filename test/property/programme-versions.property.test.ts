import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeEarn } from '../../src/main/core/ledger/rules';
import { programmeRulesAt, rulesOfDocument, storeProgrammeVersions } from '../../src/main/core/programme/programme-book';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { documentText } from '../../src/shared/programme/document';
import { line, openHarness, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';

/**
 * Issue 14, « Show »: a programme change never alters points already earned.
 * Sales at increasing times interleaved with new versions arriving (each
 * effective some time after the last): every sale is priced by the version in
 * force at its time and records it, the points of sales already made stay
 * what they were (balance, journal), and refunding them after any number of
 * changes takes back exactly what they earned, not what the new rules would.
 */
const HOUR = 3600_000;

type Step = { kind: 'sale'; afterMs: number; cents: number[] } | { kind: 'version'; points: number; perCents: number; inMs: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('sale' as const), afterMs: fc.integer({ min: 1000, max: 30 * HOUR }), cents: fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('version' as const), points: fc.integer({ min: 0, max: 10 }), perCents: fc.constantFrom(50, 100, 250, 1000), inMs: fc.integer({ min: 0, max: 48 * HOUR }) }),
);

describe('programme versions and points already earned', () => {
  it('prices each sale by the version in force at its time and never changes what earlier sales earned', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 2, maxLength: 14 }), (steps) => {
        const h = openHarness({ rulesAt: programmeRulesAt });
        try {
          const member = h.members.claire.id;
          const inForce = programmeRulesAt(h.db);
          const made: Array<{ receipt: string; points: number; version: string }> = [];
          let lastEffective = WEDNESDAY_10H;
          let n = 0;
          for (const step of steps) {
            n += 1;
            if (step.kind === 'version') {
              lastEffective = Math.max(lastEffective, h.clock.value) + step.inMs + 1;
              const version = `v-${n}`;
              const document = { ...DEFAULT_PROGRAMME_DOCUMENT, version, effectiveFrom: new Date(lastEffective).toISOString(), earn: { ...DEFAULT_PROGRAMME_DOCUMENT.earn, points: step.points, perCents: step.perCents } };
              // What the pull stores once HQ's signature is checked (the check is the pull's: sync-hq/programme.test.ts).
              storeProgrammeVersions(h.db, [{ version, effectiveFrom: lastEffective, document: documentText(document), publishedAt: h.clock.value, keyId: 'hq-test', signature: 'sig' }], h.clock.value);
              continue;
            }
            h.clock.value += step.afterMs;
            const lines = step.cents.map((c, i) => line(c, { lineId: `L${i}` }));
            const expected = inForce(h.clock.value) ?? h.ledger.rules;
            const result = h.ledger.commit(sale(member, `R-${n}`, lines));
            expect(result.rulesVersion).toBe(expected.version);
            expect(result.pointsEarned).toBe(computeEarn(expected, lines, 0, h.clock.value).points);
            made.push({ receipt: `R-${n}`, points: result.pointsEarned, version: result.rulesVersion });
            // Every sale made so far: its points and version as they were.
            const recorded = h.db.prepare("SELECT receipt, rules_version FROM ledger_entry WHERE kind = 'earn' ORDER BY seq").all() as Array<{ receipt: string; rules_version: string }>;
            expect(recorded).toEqual(made.map((m) => ({ receipt: m.receipt, rules_version: m.version })));
            expect(h.ledger.points(member).balance).toBe(made.reduce((s, m) => s + m.points, 0));
          }
          // Refunds after every change take back what each sale earned, whatever is in force now.
          h.clock.value += 100 * HOUR;
          for (const m of made) {
            const refund = h.ledger.refund({ refundId: `F-${m.receipt}`, sale: { tillId: 'till-1', receipt: m.receipt }, lines: 'all' });
            expect(refund.pointsReversed).toBe(m.points);
          }
          expect(h.ledger.points(member).balance).toBe(0);
        } finally {
          h.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('prices, checks and records one sale by one version, even when the effective time passes during it', () => {
    const effective = WEDNESDAY_10H + 5;
    const document = { ...DEFAULT_PROGRAMME_DOCUMENT, version: 'v-next', effectiveFrom: new Date(effective).toISOString(), earn: { ...DEFAULT_PROGRAMME_DOCUMENT.earn, points: 10 } };
    // Every look-up takes a millisecond: a sale that looked the rules up at each use would cross into v-next midway.
    const h = openHarness({
      rulesAt: (db) => {
        const at = programmeRulesAt(db);
        return (t) => {
          h.clock.value += 1;
          return at(t);
        };
      },
    });
    try {
      storeProgrammeVersions(h.db, [{ version: 'v-next', effectiveFrom: effective, document: documentText(document), publishedAt: 0, keyId: 'hq-test', signature: 'sig' }], 0);
      h.clock.value = effective - 1;
      const result = h.ledger.commit(sale(h.members.claire.id, 'R-EDGE', [line(1200)]));
      expect(result).toMatchObject({ rulesVersion: 'fr-2026.1', pointsEarned: 10 });
      expect(h.db.prepare("SELECT rules_version FROM ledger_entry WHERE kind = 'earn'").all()).toEqual([{ rules_version: 'fr-2026.1' }]);
      expect(h.ledger.commit(sale(h.members.claire.id, 'R-NEXT', [line(1200)]))).toMatchObject({ rulesVersion: 'v-next', pointsEarned: 100 });
    } finally {
      h.close();
    }
  });

  it('reads each version’s rules as the ledger checks them', () => {
    expect(rulesOfDocument(JSON.parse(documentText(DEFAULT_PROGRAMME_DOCUMENT)))).toEqual(rulesOfDocument(DEFAULT_PROGRAMME_DOCUMENT));
    expect(() => rulesOfDocument({ ...DEFAULT_PROGRAMME_DOCUMENT, earn: { points: -1 } })).toThrow(/invalid program rules/);
  });
});
