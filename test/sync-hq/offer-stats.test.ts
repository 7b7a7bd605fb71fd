import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offerStatsSummary } from '../../src/hq/offers/offer-stats';
import { startHq, type Hq } from '../../src/hq/server';
import { Offers, VISIT_MS } from '../../src/main/core/offers/offers';
import { offerCountsOn } from '../../src/main/core/offers/offer-stats';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import type { OfferRule } from '../../src/shared/offers/rules';
import { WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * Offers counted at HQ (issue 16 item 3): what each terminal showed, what
 * was accepted or refused and what a later purchase converted, by day and
 * rule, sent with the pull's rhythm and summed over the chain for marketing.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-offer-stats-'));
const DAY = 86_400_000;
let hq: Hq;
let till: Terminal;
let offers: Offers;

const bonusOnFruit: OfferRule = {
  id: 'fruits-bonus',
  label: { fr: '50 points sur les fruits', en: '50 points on fruit' },
  conditions: { basket: { match: 'any', categories: [{ category: 'grocery', minCents: 500 }], skus: [] } },
  offer: { kind: 'bonus_points', points: 50, target: { category: 'fresh' } },
  cap: { times: 5, days: 30 },
  priority: 5,
};
const line = (category: string, amountCents: number) => ({ lineId: category, sku: category, category, quantity: 1, netCents: amountCents });

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => till?.h.clock.value ?? WEDNESDAY_10H }, random: seededRandom(31), logger: silentLogger, maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
  till = await openTerminal(hq, 'caisse-nantes-1', 'nantes-1', 441);
  offers = new Offers({ db: till.h.db, clock: { now: () => till.h.clock.value }, logger: silentLogger, timeZone: () => 'Europe/Paris', categories: () => ['grocery', 'fresh', 'bio'], later: undefined } as never);
  offers.install([bonusOnFruit]);
  for (const member of [till.h.members.claire.id, till.h.members.helene.id]) {
    till.h.db
      .prepare("INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, 'personalisedOffers', 1, '2026-11.fr-1', ?, 'test')")
      .run(member, WEDNESDAY_10H);
  }
}, 60_000);

afterAll(async () => {
  till?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('offer counts at HQ', () => {
  it('counts shown, accepted and refused by day and rule, converts an accepted offer on a later purchase of its target, and sends the days once', async () => {
    const claire = till.h.members.claire.id;
    const helene = till.h.members.helene.id;
    const basket = [line('grocery', 2_000)];
    expect(offers.forBasket(claire, basket).offers.map((o) => o.ruleId)).toEqual(['fruits-bonus']);
    expect(offers.forBasket(helene, basket).offers.map((o) => o.ruleId)).toEqual(['fruits-bonus']);
    offers.flush();
    expect(offers.answer(claire, 'fruits-bonus', 'accepted')).toBe(true);
    expect(offers.answer(helene, 'fruits-bonus', 'refused')).toBe(true);
    // The visit that accepted it is no conversion, even with fruit in the basket.
    offers.saleCommitted(claire, ['grocery', 'fresh'], till.h.clock.value);
    expect(offerCountsOn(till.h.db, '2026-11-18')).toEqual([{ ruleId: 'fruits-bonus', shown: 2, accepted: 1, refused: 1, converted: 0 }]);

    // Two days later: groceries only, then fruit.
    till.h.clock.value += 2 * DAY;
    offers.saleCommitted(claire, ['grocery'], till.h.clock.value);
    expect(offerCountsOn(till.h.db, '2026-11-18')[0]!.converted).toBe(0);
    till.h.clock.value += VISIT_MS;
    offers.saleCommitted(claire, ['fresh'], till.h.clock.value);
    expect(offerCountsOn(till.h.db, '2026-11-18')[0]!.converted).toBe(1);
    // Converted once.
    offers.saleCommitted(claire, ['fresh'], till.h.clock.value + VISIT_MS);
    expect(offerCountsOn(till.h.db, '2026-11-18')[0]!.converted).toBe(1);

    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(till.h.db.prepare('SELECT count(*) AS n FROM offer_stat_outbox').get()).toEqual({ n: 0 });
    const summary = await offerStatsSummary(hq.ctx.sql, '2026-11-01', '2026-11-30');
    expect(summary.rules).toEqual([{ ruleId: 'fruits-bonus', shown: 2, accepted: 1, refused: 1, converted: 1 }]);
    expect(summary.days).toEqual([{ day: '2026-11-18', shown: 2, accepted: 1, refused: 1, converted: 1 }]);

    // Nothing changed: nothing sent again; a new showing sends its day, whose counts replace HQ's.
    const sent = till.sent.length;
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(till.sent.slice(sent).map((s) => s.path)).not.toContain('/v1/offer-stats');
    offers.forBasket(helene, basket);
    offers.flush();
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect((await offerStatsSummary(hq.ctx.sql, '2026-11-01', '2026-11-30')).days).toEqual([
      { day: '2026-11-18', shown: 2, accepted: 1, refused: 1, converted: 1 },
      { day: '2026-11-20', shown: 1, accepted: 0, refused: 0, converted: 0 },
    ]);
  });

  it('refuses counts that are not signed by an enrolled terminal, and takes nothing from them', async () => {
    const response = await fetch(`${hq.url}/v1/offer-stats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        protocolVersion: 1,
        terminalId: 'caisse-nantes-1',
        days: [{ day: '2026-11-18', rules: [{ ruleId: 'fruits-bonus', shown: 999, accepted: 999, refused: 0, converted: 999 }] }],
        sentAt: till.h.clock.value,
        nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
        keyId: till.sync.key.keyId,
        signature: 'forged',
      }),
    });
    expect(response.status).toBe(401);
    expect((await offerStatsSummary(hq.ctx.sql, '2026-11-18', '2026-11-18')).rules[0]).toMatchObject({ shown: 2 });
  });
});
