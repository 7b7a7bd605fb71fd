import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishProgramme } from '../../src/hq/programme/programme-store';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import type { ProgrammeDocument } from '../../src/shared/programme/document';
import { startTestHq, staffClient, TestTerminal, type TestHq } from './hq-fixture';

/**
 * Benefits' seats at HQ on PGlite (issue 14 item 6): the programme's capacity
 * is never passed chain-wide, whatever two stores ask at once; a store's
 * offline allotment is counted as taken; a cancellation frees its seat once;
 * the console lists every benefit with its seats.
 */
const workshop = {
  id: 'atelier-pain',
  kind: 'workshop' as const,
  label: { fr: 'Atelier pain au levain', en: 'Sourdough workshop' },
  date: '2026-12-12',
  capacity: 6,
  pricePoints: 300,
  tiers: ['gold'],
};
const doc: ProgrammeDocument = { ...DEFAULT_PROGRAMME_DOCUMENT, version: 'fr-2026.benef', effectiveFrom: '2026-11-18T09:00:00Z', benefits: [workshop] };

let hq: TestHq;
const paris = new TestTerminal('caisse-b1', 'paris-11');
const lyon = new TestTerminal('caisse-b2', 'lyon-2');

const seat = (t: TestTerminal, action: 'take' | 'release' | 'allot', fields: { bookingId?: string; memberId?: string; seats?: number; fromAllotment?: boolean; benefitId?: string } = {}) =>
  hq.post(
    '/v1/benefits/seats',
    t.signed({
      protocolVersion: 1,
      terminalId: t.terminalId,
      action,
      benefitId: fields.benefitId ?? workshop.id,
      bookingId: fields.bookingId ?? null,
      memberId: fields.memberId ?? null,
      seats: fields.seats ?? 0,
      fromAllotment: fields.fromAllotment ?? false,
      sentAt: hq.clock.value,
    }),
  );

beforeAll(async () => {
  hq = await startTestHq();
  const published = await publishProgramme(hq.ctx, doc, 'test');
  expect(published.ok).toBe(true);
  hq.clock.value = Date.parse('2026-11-18T10:00:00Z');
  await paris.enrol(hq);
  await lyon.enrol(hq);
  // HQ on PGlite starts in seconds, more on a loaded machine.
}, 60_000);

afterAll(async () => {
  await hq?.stop();
});

describe('benefit seats at HQ', () => {
  it('never gives more seats than the capacity, whatever two stores ask at once; the last one hears benefit_full', async () => {
    const asks = Array.from({ length: 10 }, (_, i) => seat(i % 2 === 0 ? paris : lyon, 'take', { bookingId: `b-${i}`, memberId: `m-${i}` }));
    const answers = await Promise.all(asks);
    const granted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 409);
    expect(granted).toHaveLength(workshop.capacity);
    expect(refused).toHaveLength(10 - workshop.capacity);
    expect(refused[0]!.json.error.code).toBe('benefit_full');
    expect(refused[0]!.json.error.message).toContain('no seat left');
    expect(await hq.count('benefit_seat')).toBe(workshop.capacity);
    // A retried take of a granted booking is the same booking, not a new seat.
    const first = answers.findIndex((a) => a.status === 200);
    const again = await seat(first % 2 === 0 ? paris : lyon, 'take', { bookingId: `b-${first}`, memberId: `m-${first}` });
    expect(again.json).toMatchObject({ booking: 'booked', taken: workshop.capacity, left: 0 });
    expect(await hq.count('benefit_seat')).toBe(workshop.capacity);

    // A cancellation frees its seat once, however often it is sent.
    const release = () => seat(first % 2 === 0 ? paris : lyon, 'release', { bookingId: `b-${first}`, memberId: `m-${first}` });
    expect((await release()).json).toMatchObject({ booking: 'cancelled', taken: workshop.capacity - 1, left: 1 });
    expect((await release()).json).toMatchObject({ booking: 'cancelled', taken: workshop.capacity - 1, left: 1 });
  });

  it("counts a store's allotment as taken, lets it report an offline booking on it, and refuses a benefit the programme does not have", async () => {
    // One seat is free (the cancellation above); the allotment (a tenth of 6 is 0) gives none at this capacity.
    expect((await seat(paris, 'allot', { seats: 3 })).json).toMatchObject({ allotted: 0, left: 1 });
    const unknown = await seat(paris, 'take', { benefitId: 'atelier-inconnu', bookingId: 'x', memberId: 'm' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('benefit_unknown');
    const last = await seat(lyon, 'take', { bookingId: 'b-last', memberId: 'm-last' });
    expect(last.json).toMatchObject({ booking: 'booked', left: 0 });
    expect((await seat(paris, 'take', { bookingId: 'b-over', memberId: 'm-over' })).status).toBe(409);
  });

  it('the console lists each benefit with its seats chain-wide and per store', async () => {
    const marketing = await staffClient(hq, 'marketing');
    const answer = await marketing.get('/v1/benefits');
    expect(answer.status).toBe(200);
    const [listed] = answer.json.benefits;
    expect(listed).toMatchObject({ benefit: { id: workshop.id, capacity: 6 }, taken: 6, left: 0, booked: 6 });
    expect(listed.stores.map((s: { storeId: string }) => s.storeId)).toEqual(['lyon-2', 'paris-11']);
  });
});
