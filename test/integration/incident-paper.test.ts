import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pointsGesturesBefore } from '../../src/main/core/incidents/receipt-gestures';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom } from '../../src/main/core/ports';
import { buildLoyaltyReceipt, referenceReceiptData } from '../../src/main/core/receipt/receipt';
import { RECEIPT_WIDTH } from '../../src/shared/domain/receipt-layout';
import { line, openHarness, sale, type Harness } from './ledger-fixture';

/** Issue 12, item 4 and 8 on paper: the Z report's incidents and gestures, a points gesture on the receipt, never a note. */

const PIN_HASH = hashManagerPin('4821', seededRandom(3), { N: 1024, r: 8, p: 1 });
const NOTE = 'Cliente très en colère, allergie aux noix';

let h: Harness;
beforeEach(() => {
  h = openHarness({ policy: { managerPinHash: PIN_HASH } });
});
afterEach(() => h.close());

function recordAndResolve(memberId: string, gesture: Record<string, unknown>, manager: { id: string; pin: string } | null = null) {
  const { incident } = h.ledger.incidents.record({ memberId, kind: 'billing_error', severity: 3, recordedBy: 'caissier-7', note: NOTE });
  return h.ledger.incidents.resolve({ incidentId: incident.incidentId, outcome: 'well_resolved', gesture, recordedBy: 'caissier-7', manager });
}

describe('the Z report lists the day’s incidents and gestures', () => {
  it('opened, resolved, each gesture with its value and approver, the survey’s scores; never a note', () => {
    const { claire, helene } = h.members;
    // Wednesday 18 November 2026, 10:00 and after, Paris.
    h.clock.value = Date.UTC(2026, 10, 18, 9);
    recordAndResolve(claire.id, { type: 'points', points: 100 });
    h.clock.value += 60_000;
    recordAndResolve(helene.id, { type: 'voucher', valueCents: 1_500, reference: 'BON-77' }, { id: 'resp-1', pin: '4821' });
    h.clock.value += 60_000;
    h.ledger.incidents.record({ memberId: helene.id, kind: 'waiting_time', severity: 2, channel: 'survey', recordedBy: 'customer-screen' });
    h.ledger.incidents.surveyAnswer({ memberId: helene.id, score: 1, tillId: 'manual', receipt: 'M-1' });
    h.ledger.incidents.surveyAnswer({ memberId: null, score: 5, tillId: null, receipt: null });

    const report = h.ledger.zReport('2026-11-18');
    expect(report.incidents).toMatchObject({
      opened: 3,
      resolved: 2,
      gestures: { count: 2, cents: 2_000, points: 100 },
      survey: { answers: 2, byScore: [1, 0, 0, 0, 1] },
    });
    expect(report.incidents.list.map((i) => [i.kind, i.outcome, i.gesture?.type ?? null, i.approvedBy])).toEqual([
      ['billing_error', 'well_resolved', 'points', null],
      ['billing_error', 'well_resolved', 'voucher', 'resp-1'],
      ['waiting_time', null, null, null],
    ]);

    const fr = h.ledger.zReportLines(report, 'fr');
    for (const text of fr) expect(text.length, text).toBeLessThanOrEqual(RECEIPT_WIDTH);
    expect(fr).toContain('INCIDENTS CLIENTS DU JOUR');
    expect(fr).toContainEqual(expect.stringMatching(/^10:00 Erreur de prix ou de caisse +grav\. 3$/));
    expect(fr).toContainEqual(expect.stringMatching(/^ +100 pts +5,00 €$/));
    expect(fr).toContainEqual(expect.stringMatching(/^ +Bon d’achat \(resp\. resp-1\) +15,00 €$/));
    expect(fr).toContainEqual(expect.stringMatching(/^ +Toujours ouvert$/));
    expect(fr).toContainEqual(expect.stringMatching(/^Valeur des gestes +20,00 €$/));
    expect(fr).toContainEqual(expect.stringMatching(/^Notes +1:1 2:0 3:0 4:0 5:1$/));
    expect(fr.join('\n')).not.toContain('noix');
    const en = h.ledger.zReportLines(report, 'en');
    expect(en).toContain('TODAY’S CUSTOMER INCIDENTS');
    expect(en).toContainEqual(expect.stringMatching(/^Value of gestures +€20\.00$/));
  });

  it('a day without incidents says so', () => {
    h.clock.value = Date.UTC(2026, 10, 18, 9);
    const fr = h.ledger.zReportLines(h.ledger.zReport('2026-11-18'), 'fr');
    expect(fr).toContain('Aucun incident');
  });
});

describe('a points gesture on the receipt', () => {
  it('the next sale’s receipt lists the gestures since the previous sale; the sale after that does not', () => {
    const { claire } = h.members;
    h.clock.value = Date.UTC(2026, 10, 18, 9);
    const first = h.ledger.commit(sale(claire.id, 'R-1', [line(1_200)]));
    h.clock.value += 60_000;
    recordAndResolve(claire.id, { type: 'points', points: 100 });
    recordAndResolve(claire.id, { type: 'apology' });
    h.clock.value += 60_000;
    const second = h.ledger.commit(sale(claire.id, 'R-2', [line(1_200)]));
    expect(pointsGesturesBefore(h.db, claire.id, first)).toEqual([]);
    expect(pointsGesturesBefore(h.db, claire.id, second)).toEqual([100]);
    h.clock.value += 60_000;
    const third = h.ledger.commit(sale(claire.id, 'R-3', [line(1_200)]));
    expect(pointsGesturesBefore(h.db, claire.id, third)).toEqual([]);
    // A reprint of the second sale still lists it.
    expect(pointsGesturesBefore(h.db, claire.id, second)).toEqual([100]);
  });

  it('prints « Geste commercial +100 » under the points, and nothing of the incident', () => {
    const data = { ...referenceReceiptData(Date.UTC(2026, 10, 18, 9)), gestures: [100] };
    const doc = buildLoyaltyReceipt(data, 42);
    const lines = doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(lines).toContainEqual(expect.stringMatching(/^Geste commercial +\+100$/));
    const plain = buildLoyaltyReceipt(referenceReceiptData(Date.UTC(2026, 10, 18, 9)), 42);
    expect(plain.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n')).not.toContain('Geste');
    const en = buildLoyaltyReceipt({ ...data, locale: 'en' }, 48);
    expect(en.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []))).toContainEqual(expect.stringMatching(/^Goodwill gesture +\+100$/));
  });
});
