import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KindTotal } from '../../src/main/core/ledger/z-report';
import { RECEIPT_WIDTH } from '../../src/shared/domain/receipt-layout';
import { line, openHarness, sale, type Harness } from './ledger-fixture';

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => h.close());

const kinds = (report: { kinds: KindTotal[] }) =>
  Object.fromEntries(report.kinds.filter((k) => k.entries > 0).map((k) => [k.kind, [k.entries, k.points]]));

describe('the Z report', () => {
  beforeEach(() => {
    const { claire, helene } = h.members;
    // Tuesday 17 November 2026, 11:00 Paris.
    h.clock.value = Date.UTC(2026, 10, 17, 10);
    h.ledger.commit(sale(claire.id, 'R-1', [line(36000)])); // +300
    // Wednesday 18 November.
    h.clock.value = Date.UTC(2026, 10, 18, 9);
    h.ledger.commit(sale(claire.id, 'R-2', [line(2400)], 100)); // −100, +15
    h.ledger.commit(sale(helene.id, 'R-3', [line(1200)])); // +10
    h.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R-3' }, lines: 'all' }); // −10
    h.ledger.adjust({ adjustmentId: 'A-1', memberId: helene.id, points: 20, reason: 'Geste commercial', actor: 'caissier-7' });
    // 23:30 in Paris is still the 18th.
    h.clock.value = Date.UTC(2026, 10, 18, 22, 30);
    h.ledger.commit(sale(helene.id, 'R-4', [line(1200)])); // +10
    // Thursday 19 November, 00:30 Paris.
    h.clock.value = Date.UTC(2026, 10, 18, 23, 30);
    h.ledger.commit(sale(claire.id, 'R-5', [line(1200)]));
  });

  it('totals the day per kind, the running totals since origin, and the chain head', () => {
    const report = h.ledger.zReport('2026-11-18');
    expect(report).toMatchObject({ terminalId: 'test-t1', day: '2026-11-18', timeZone: 'Europe/Paris', from: Date.UTC(2026, 10, 17, 23), to: Date.UTC(2026, 10, 18, 23) });
    expect(kinds(report.today)).toEqual({ earn: [3, 35], redeem: [1, 100], refund_earn: [1, 10], adjust: [1, 20] });
    expect(report.today).toMatchObject({ entries: 6, firstSeq: 2, lastSeq: 7 });
    expect(kinds(report.running)).toEqual({ earn: [4, 335], redeem: [1, 100], refund_earn: [1, 10], adjust: [1, 20] });
    expect(report.running.accounts).toEqual({ issued: 325, redeemed: 100, expired: 0, adjusted: 20, memberBalances: 245, owedByMembers: 0 });
    const a = report.running.accounts;
    expect(a.memberBalances - a.owedByMembers).toBe(a.issued - a.redeemed - a.expired + a.adjusted);
    expect(report.chainHead).toEqual({ epoch: 1, seq: 7, hash: h.ledger.history(h.members.helene.id)[0]!.entry_hash });
  });

  it('prints as lines of at most 42 characters, in French and in English', () => {
    const report = h.ledger.zReport('2026-11-18');
    const fr = h.ledger.zReportLines(report, 'fr');
    for (const text of fr) expect(text.length, text).toBeLessThanOrEqual(RECEIPT_WIDTH);
    expect(fr[0]!.trim()).toBe('RAPPORT Z — FIDÉLITÉ');
    expect(fr).toContain('Journée                         18/11/2026');
    expect(fr).toContainEqual(expect.stringMatching(/^Points gagnés +3 op\. +35 pts$/));
    expect(fr).toContainEqual(expect.stringMatching(/^Points gagnés +4 op\. +335 pts$/));
    expect(fr).toContainEqual(expect.stringMatching(/^Écritures +n° 2 à 7$/));
    expect(fr).toContainEqual(expect.stringMatching(/^Tête de chaîne +n° 7$/));
    expect(fr.slice(-2).join('')).toBe(report.chainHead!.hash);
    const en = h.ledger.zReportLines(report, 'en');
    expect(en[0]!.trim()).toBe('Z REPORT — LOYALTY');
    expect(en).toContainEqual(expect.stringMatching(/^Points redeemed +1 op\. +100 pts$/));
  });

  it('groups thousands and says when a day had nothing', () => {
    h.clock.value = Date.UTC(2026, 10, 20, 10);
    // 4,000 points in one sale, within the programme's ceilings (no line over 2,000 €, the ticket under 5,000 €).
    h.ledger.commit(sale(h.members.zoe.id, 'R-6', [line(120_000), line(120_000), line(120_000), line(120_000)]));
    const report = h.ledger.zReport('2026-11-20');
    expect(h.ledger.zReportLines(report, 'fr')).toContainEqual(expect.stringMatching(/1 op\. +4 000 pts$/));
    expect(h.ledger.zReportLines(report, 'en')).toContainEqual(expect.stringMatching(/1 op\. +4,000 pts$/));
    expect(h.ledger.zReportLines(h.ledger.zReport('2026-11-21'), 'fr')).toContain('Aucune opération');
  });

  it('defaults to today and counts a 25-hour day whole', () => {
    h.clock.value = Date.UTC(2026, 9, 24, 22, 30); // 00:30 on Sunday 25 October, summer time
    h.ledger.commit(sale(h.members.zoe.id, 'R-7', [line(1200)]));
    h.clock.value = Date.UTC(2026, 9, 25, 22, 30); // 23:30 the same day, winter time
    h.ledger.commit(sale(h.members.zoe.id, 'R-8', [line(1200)]));
    const report = h.ledger.zReport();
    expect(report.day).toBe('2026-10-25');
    expect(report.to - report.from).toBe(25 * 3_600_000);
    expect(report.today.entries).toBe(2);
  });
});
