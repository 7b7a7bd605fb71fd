import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEALTH_PARAMS,
  foldIncidents,
  incidentWeight,
  relationshipHealth,
  type IncidentFact,
  type IncidentKind,
  type IncidentState,
} from '../../src/shared/domain/relationship-health';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 10); // 10 March 2026
const P = DEFAULT_HEALTH_PARAMS;

function incident(over: Partial<IncidentState> = {}): IncidentState {
  return { incidentId: 'i1', kind: 'billing_error', severity: 3, openedAt: T0, outcome: null, resolvedAt: null, ...over };
}

const open = (id: string, at: number, kind: IncidentKind = 'billing_error', severity = 3): IncidentFact => ({
  entryId: `e-open-${id}`,
  incidentId: id,
  type: 'open',
  at,
  kind,
  severity,
});
const resolve = (id: string, at: number, outcome: 'well_resolved' | 'poorly_resolved' | 'unresolved' | 'declined'): IncidentFact => ({
  entryId: `e-resolve-${id}`,
  incidentId: id,
  type: 'resolve',
  at,
  outcome,
});

describe('relationship health on fixed vectors', () => {
  it('a well-resolved incident keeps under 5 % of its start after five half-lives', () => {
    const resolved = incident({ outcome: 'well_resolved', resolvedAt: T0 });
    const start = incidentWeight(P, resolved, false, T0);
    const later = incidentWeight(P, resolved, false, T0 + 5 * P.halfLifeDays.well_resolved * DAY);
    expect(start).toBe(4);
    expect(later / start).toBeLessThan(0.05);
    expect(later / start).toBeCloseTo(1 / 32, 10);
  });

  it('an unresolved incident weighs the same a year later, and so does an open or poorly resolved one', () => {
    for (const outcome of ['unresolved', 'poorly_resolved', null] as const) {
      const i = incident({ outcome, resolvedAt: outcome === null ? null : T0 + DAY });
      expect(incidentWeight(P, i, false, T0 + 365 * DAY)).toBe(incidentWeight(P, i, false, T0 + 2 * DAY));
      expect(incidentWeight(P, i, false, T0 + 365 * DAY)).toBeGreaterThan(4);
    }
  });

  it('a repeat of the same kind within 90 days weighs more than a first one; after 90 days, or of another kind, it does not', () => {
    const first = relationshipHealth({ facts: [open('a', T0)], memberSince: T0 - 400 * DAY, visits12m: 0 }, T0 + DAY);
    const again = relationshipHealth({ facts: [open('a', T0), open('b', T0 + 60 * DAY)], memberSince: T0 - 400 * DAY, visits12m: 0 }, T0 + 61 * DAY);
    const b = again.contributions.find((c) => c.incidentId === 'b')!;
    const a = again.contributions.find((c) => c.incidentId === 'a')!;
    expect(b.repeat).toBe(true);
    expect(b.weight).toBeGreaterThan(a.weight);
    expect(b.weight).toBe(first.contributions[0]!.weight * 1.5);
    const late = relationshipHealth({ facts: [open('a', T0), open('b', T0 + 91 * DAY)], memberSince: T0, visits12m: 0 }, T0 + 92 * DAY);
    expect(late.contributions.find((c) => c.incidentId === 'b')!.repeat).toBe(false);
    const other = relationshipHealth({ facts: [open('a', T0), open('b', T0 + DAY, 'waiting_time')], memberSince: T0, visits12m: 0 }, T0 + 2 * DAY);
    expect(other.contributions.every((c) => !c.repeat)).toBe(true);
  });

  it('the worked example: serious, poorly resolved twice within 60 days puts a regular member at risk with a gesture', () => {
    const facts = [open('a', T0, 'order_delivery', 3), resolve('a', T0 + DAY, 'poorly_resolved'), open('b', T0 + 60 * DAY, 'order_delivery', 3), resolve('b', T0 + 61 * DAY, 'poorly_resolved')];
    const member = { memberSince: T0 - 3 * 365 * DAY, visits12m: 30 };
    const once = relationshipHealth({ facts: facts.slice(0, 2), ...member }, T0 + 62 * DAY);
    expect(once.tolerance).toBe(12);
    expect(once.load).toBe(4 * 1.5);
    expect(once.state).toBe('fragile');
    expect(once.suggestedGesture).toBeNull();
    const worse = relationshipHealth({ facts, ...member }, T0 + 62 * DAY);
    expect(worse.load).toBe(4 * 1.5 + 4 * 1.5 * 1.5);
    expect(worse.state).toBe('at_risk');
    expect(worse.suggestedGesture).toEqual({ severity: 3, valueCents: 1000 });
    expect(worse.paramsVersion).toBe(P.version);
  });

  it('the tolerance grows with the length and the regularity of the relationship', () => {
    const now = T0;
    const newcomer = relationshipHealth({ facts: [], memberSince: now, visits12m: 0 }, now).tolerance;
    const loyal = relationshipHealth({ facts: [], memberSince: now - 800 * DAY, visits12m: 0 }, now).tolerance;
    const regular = relationshipHealth({ facts: [], memberSince: now - 800 * DAY, visits12m: 24 }, now).tolerance;
    expect(newcomer).toBe(8);
    expect(loyal).toBeGreaterThan(newcomer);
    expect(regular).toBeGreaterThan(loyal);
  });

  it('says in one line, in French and English, what weighs and since when', () => {
    const facts = [open('a', T0), open('b', T0 + 20 * DAY, 'waiting_time', 2)];
    const h = relationshipHealth({ facts, memberSince: T0 - 400 * DAY, visits12m: 2 }, T0 + 30 * DAY);
    expect(h.reason.fr).toBe('2 incidents non résolus depuis mars');
    expect(h.reason.en).toBe('2 unresolved incidents since March');
    const none = relationshipHealth({ facts: [], memberSince: T0, visits12m: 0 }, T0);
    expect(none.reason).toMatchObject({ code: 'none', fr: 'Aucun incident', en: 'No incidents' });
    expect(none.state).toBe('ok');
  });

  it('names the month of the local calendar, to the millisecond around a month\'s start, in zones offset by halves and quarters', () => {
    const zones = ['Europe/Paris', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe'];
    for (const timeZone of zones) {
      const monthFormat = new Intl.DateTimeFormat('en-US', { timeZone, month: 'long' });
      // Local midnights of 1 April and 1 November (DST edges nearby in several zones), found by stepping a minute at a time.
      for (const utcStart of [Date.UTC(2026, 3, 1), Date.UTC(2026, 10, 1)]) {
        let edge = utcStart - 15 * 3_600_000;
        while (monthFormat.format(edge) === monthFormat.format(utcStart - 15 * 3_600_000)) edge += 60_000;
        for (const at of [edge - 1, edge, edge + 1, edge + 13 * DAY]) {
          const h = relationshipHealth({ facts: [open('a', at)], memberSince: at - 400 * DAY, visits12m: 2 }, at + DAY, P, timeZone);
          expect(h.reason.en, `${timeZone} at ${new Date(at).toISOString()}`).toBe(`1 unresolved incident since ${monthFormat.format(at)}`);
        }
      }
    }
  });

  it('folds updates and the last resolve, counts a fact seen twice once, and ignores facts after now', () => {
    const facts: IncidentFact[] = [
      open('a', T0),
      { entryId: 'e-up', incidentId: 'a', type: 'update', at: T0 + 1, kind: 'waiting_time', severity: 5 },
      resolve('a', T0 + 2, 'unresolved'),
      { entryId: 'e-resolve-a2', incidentId: 'a', type: 'resolve', at: T0 + 3, outcome: 'well_resolved' },
      open('a', T0),
    ];
    expect(foldIncidents(facts, T0 + 10)).toEqual([{ incidentId: 'a', kind: 'waiting_time', severity: 5, openedAt: T0, outcome: 'well_resolved', resolvedAt: T0 + 3 }]);
    expect(foldIncidents(facts, T0 + 2)[0]!.outcome).toBe('unresolved');
    expect(foldIncidents(facts, T0 - 1)).toEqual([]);
  });
});
