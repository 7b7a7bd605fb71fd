import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/db/database';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { RegularityBook } from '../../src/main/core/regularity/regularity-book';
import { regularitySettings } from '../../src/main/core/regularity/programme-regularity';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { replayTickets, type Ticket } from '../../src/shared/programme/regularity';
import { insertKnownMembers } from '../fakes/known-members';

/**
 * Issue 14 item 5: the terminal grants exactly the bonuses the model does,
 * whatever replays of the same sale and memory losses (a restart: the book
 * forgets everything and reads the journal again) come in between.
 */

const START = Date.UTC(2026, 10, 16, 9);
const HOUR = 3_600_000;

const opArb = fc.record({
  /** Hours since the previous ticket: the same day, the same week, or weeks later. */
  gapHours: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 20, max: 200 }), fc.integer({ min: 150, max: 400 })),
  cents: fc.integer({ min: 100, max: 3000 }),
  replay: fc.boolean(),
  forget: fc.boolean(),
});

describe('regularity at the terminal, against the model', () => {
  it('grants the bonus the model grants, once, across replays and restarts', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => {
        const db = openDatabase(':memory:');
        try {
          const claire = insertKnownMembers(new MemberStore(db)).claire.id;
          const clock = { value: START };
          const book: RegularityBook = new RegularityBook({ settingsFor: regularitySettings(db), history: (memberId, limit) => ledger.history(memberId, limit) });
          const ledger: Ledger = createLedger({ db, clock: { now: () => clock.value }, random: seededRandom(1), terminalId: 't1', logger: silentLogger, regularity: book });
          const tickets: Ticket[] = [];
          const granted: number[] = [];
          ops.forEach((op, i) => {
            clock.value += op.gapHours * HOUR;
            const input = {
              tillId: 'till-1',
              receipt: `R${i}`,
              memberId: claire,
              lines: [{ lineId: 'L1', sku: 'SKU', label: 'Article', category: 'grocery', quantity: 1, unitPriceCents: op.cents, discountCents: 0, taxRateBp: 550, rewardId: null }],
              payments: [{ method: 'card', amountCents: op.cents }],
              redeemPoints: 0,
            };
            const result = ledger.commit(input);
            if (op.replay) expect(ledger.commit(input)).toEqual(result);
            if (op.forget) book.clear();
            tickets.push({ at: clock.value, basketCents: op.cents });
            granted.push(result.regularity?.bonusPoints ?? 0);
          });
          expect(granted).toEqual(replayTickets(DEFAULT_PROGRAMME_DOCUMENT.regularity, 'Europe/Paris', tickets).bonuses);
        } finally {
          db.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
