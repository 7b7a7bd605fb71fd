import { describe, expect, it } from 'vitest';
import { basketLines, centsOf, homeOf, localOf, nextVersionId, numberOrText, setAt, startDraft, zonedInstant } from '../../src/renderer/hq/programme/model';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';

/**
 * The console's programme editor, its pure part: wall-clock times in the
 * store's zone to instants with their offset (both sides of a DST change),
 * what people type in number and euro fields, edits that copy, and where
 * each of HQ's problems is shown.
 */
describe('zonedInstant / localOf', () => {
  it('writes Paris wall-clock time with the offset in force that day, winter and summer', () => {
    expect(zonedInstant('2026-11-18T12:00', 'Europe/Paris')).toBe('2026-11-18T12:00:00+01:00');
    expect(zonedInstant('2027-07-01T06:30', 'Europe/Paris')).toBe('2027-07-01T06:30:00+02:00');
    // The morning after the clocks go forward (28 March 2027, 02:00 → 03:00).
    expect(zonedInstant('2027-03-28T09:00', 'Europe/Paris')).toBe('2027-03-28T09:00:00+02:00');
    expect(zonedInstant('2027-01-04T06:00', 'America/New_York')).toBe('2027-01-04T06:00:00-05:00');
    expect(zonedInstant('2027-01-04T06:00', 'Asia/Kolkata')).toBe('2027-01-04T06:00:00+05:30');
  });

  it('refuses what is not a wall-clock time or a zone', () => {
    expect(zonedInstant('2027-01-04', 'Europe/Paris')).toBeNull();
    expect(zonedInstant('2027-01-04T06:00', 'Mars/Olympus')).toBeNull();
  });

  it('reads an instant back as the zone’s wall-clock time', () => {
    expect(localOf(Date.parse('2026-11-18T11:00:00Z'), 'Europe/Paris')).toBe('2026-11-18T12:00');
    expect(localOf(Date.parse('2027-07-01T04:30:00Z'), 'Europe/Paris')).toBe('2027-07-01T06:30');
  });
});

describe('what people type', () => {
  it('keeps a number as a number and anything else as text for the validator to refuse', () => {
    expect(numberOrText('2')).toBe(2);
    expect(numberOrText(' 0,5 ')).toBe(0.5);
    expect(numberOrText('deux')).toBe('deux');
    expect(numberOrText('')).toBe('');
  });

  it('reads euros with a decimal comma into whole cents', () => {
    expect(centsOf('2')).toBe(200);
    expect(centsOf('12,50')).toBe(1250);
    expect(centsOf('0.1')).toBe(10);
    expect(centsOf('1,234')).toBe('1,234');
    expect(centsOf('-2')).toBe('-2');
  });

  it('builds the preview basket, or nothing when a price is not euros', () => {
    expect(basketLines([{ category: 'bio', price: '12,50', taxRateBp: 550 }])).toEqual([
      { lineId: 'l1', sku: 'PREVIEW-1', label: 'bio', category: 'bio', quantity: 1, unitPriceCents: 1250, taxRateBp: 550 },
    ]);
    expect(basketLines([{ category: 'bio', price: 'douze', taxRateBp: 550 }])).toBeNull();
  });
});

describe('the draft', () => {
  it('edits a copy: the version in force is never changed under the editor', () => {
    const doc = { rewards: [{ id: 'cafe', points: 150 }], earn: { points: 1 } };
    const next = setAt(doc, ['rewards', 0, 'points'], 0);
    expect(next).toEqual({ rewards: [{ id: 'cafe', points: 0 }], earn: { points: 1 } });
    expect(doc.rewards[0]!.points).toBe(150);
    expect(Array.isArray(next.rewards)).toBe(true);
    expect(setAt(doc, ['earn', 'points'], undefined)).toEqual({ rewards: doc.rewards, earn: {} });
  });

  it('starts from the version in force with the next id, in force from the next full hour at HQ in the store’s zone', () => {
    const draft = startDraft({ hqTime: Date.parse('2026-11-18T09:00:00Z'), current: null, document: DEFAULT_PROGRAMME_DOCUMENT, future: [], history: [] });
    expect(draft.version).toBe('fr-2026.2');
    expect(draft.effectiveFrom).toBe('2026-11-18T11:00:00+01:00');
    expect(draft.earn).toEqual(DEFAULT_PROGRAMME_DOCUMENT.earn);
    expect(nextVersionId('fr-2026.9')).toBe('fr-2026.10');
    expect(nextVersionId('printemps')).toBe('printemps.2');
  });

  it('shows each problem under the deepest field that holds it, else with the JSON', () => {
    const fields = new Set(['rewards', 'rewards.0', 'rewards.0.points', 'tiers.tiers']);
    expect(homeOf('rewards.0.points', fields)).toBe('rewards.0.points');
    expect(homeOf('rewards.0', fields)).toBe('rewards.0');
    expect(homeOf('rewards.0.id', fields)).toBe('rewards.0');
    expect(homeOf('tiers.tiers', fields)).toBe('tiers.tiers');
    expect(homeOf('rewards.10.points', fields)).toBe('rewards');
    expect(homeOf('benefits.0.capacity', fields)).toBeNull();
    expect(homeOf('', fields)).toBeNull();
  });
});
