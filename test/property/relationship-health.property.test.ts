import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEALTH_STATES,
  INCIDENT_KINDS,
  INCIDENT_OUTCOMES,
  relationshipHealth,
  type IncidentFact,
} from '../../src/shared/domain/relationship-health';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const NOW = T0 + 400 * DAY;
const rank = (state: string) => HEALTH_STATES.indexOf(state as (typeof HEALTH_STATES)[number]);

/** Incidents from several stores: each an open, maybe an update, maybe a resolve, at times up to now. */
const incidentFacts = (id: string) =>
  fc
    .record({
      kind: fc.constantFrom(...INCIDENT_KINDS),
      severity: fc.integer({ min: 1, max: 5 }),
      openedDay: fc.integer({ min: 0, max: 390 }),
      update: fc.option(fc.record({ after: fc.integer({ min: 0, max: 5 }), severity: fc.integer({ min: 1, max: 5 }) }), { nil: null }),
      resolve: fc.option(fc.record({ after: fc.integer({ min: 0, max: 10 }), outcome: fc.constantFrom(...INCIDENT_OUTCOMES) }), { nil: null }),
    })
    .map(({ kind, severity, openedDay, update, resolve }): IncidentFact[] => {
      const at = T0 + openedDay * DAY;
      const facts: IncidentFact[] = [{ entryId: `${id}-o`, incidentId: id, type: 'open', at, kind, severity }];
      if (update) facts.push({ entryId: `${id}-u`, incidentId: id, type: 'update', at: at + update.after * DAY, kind: null, severity: update.severity });
      if (resolve) facts.push({ entryId: `${id}-r`, incidentId: id, type: 'resolve', at: at + resolve.after * DAY, outcome: resolve.outcome });
      return facts;
    });

const history = fc
  .integer({ min: 0, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => incidentFacts(`inc-${i}`))))
  .map((lists) => lists.flat());
const member = fc.record({ memberSince: fc.integer({ min: T0 - 1000 * DAY, max: NOW }), visits12m: fc.integer({ min: 0, max: 60 }) });

describe('relationship health properties', () => {
  it('recording an incident never improves health', () => {
    fc.assert(
      fc.property(history, member, incidentFacts('new'), (facts, m, added) => {
        const before = relationshipHealth({ facts, ...m }, NOW);
        const after = relationshipHealth({ facts: [...facts, added[0]!], ...m }, NOW);
        expect(after.load).toBeGreaterThanOrEqual(before.load);
        expect(rank(after.state)).toBeGreaterThanOrEqual(rank(before.state));
      }),
    );
  });

  it('resolving an open incident well never worsens health', () => {
    fc.assert(
      fc.property(history, member, incidentFacts('new'), fc.integer({ min: 0, max: 30 }), (facts, m, added, afterDays) => {
        const opened = added[0]!;
        const withOpen = [...facts, opened];
        const resolvedAt = Math.min(NOW, opened.at + afterDays * DAY);
        const withResolve: IncidentFact[] = [...withOpen, { entryId: 'new-well', incidentId: 'new', type: 'resolve', at: resolvedAt, outcome: 'well_resolved' }];
        const before = relationshipHealth({ facts: withOpen, ...m }, NOW);
        const after = relationshipHealth({ facts: withResolve, ...m }, NOW);
        expect(after.load).toBeLessThanOrEqual(before.load + 1e-9);
        expect(rank(after.state)).toBeLessThanOrEqual(rank(before.state));
      }),
    );
  });

  it('health is the same whatever order the facts arrive in, and whether a fact arrives once or twice', () => {
    fc.assert(
      fc.property(history, member, fc.func(fc.integer()), fc.integer({ min: 0, max: 20 }), (facts, m, key, dup) => {
        const shuffled = [...facts].sort((a, b) => key(a.entryId) - key(b.entryId) || (a.entryId < b.entryId ? 1 : -1));
        const twice = facts.length > 0 ? [...shuffled, facts[dup % facts.length]!] : shuffled;
        expect(relationshipHealth({ facts: twice, ...m }, NOW)).toEqual(relationshipHealth({ facts, ...m }, NOW));
      }),
    );
  });
});
