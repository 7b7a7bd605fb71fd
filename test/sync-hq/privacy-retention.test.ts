import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHq, type Hq } from '../../src/hq/server';
import { upsertMember } from '../../src/hq/members';
import { runRetention } from '../../src/hq/privacy/retention';
import { outboxSender, type PrivacyMessage } from '../../src/hq/privacy-self/sender';
import { purgeUnseenMembers } from '../../src/main/core/privacy/retention';
import { isBlockedCard } from '../../src/main/core/privacy/erasure';
import { pruneExpired, retentionPolicy } from '../../src/main/core/retention';
import { verifyChain } from '../../src/main/core/ledger/verify';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { line, openHarness, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * Issue 17 item 4 with an injected clock: three years without activity, a
 * notice 30 days before to those who can be reached, then anonymisation at
 * HQ and, through the tombstone, on the store's terminal; activity after the
 * notice starts the clock again. And a terminal's own purge of members it
 * has not seen for the retention period.
 */
const DAY = 24 * 3_600_000;
const T0 = WEDNESDAY_10H;
const dir = mkdtempSync(join(tmpdir(), 'fidele-retention-'));
const clock = { value: T0 };
let hq: Hq;
let till: Terminal;

const ids = {
  old: '0190aaaa-0000-7000-8000-000000000001',
  quiet: '0190aaaa-0000-7000-8000-000000000002',
  back: '0190aaaa-0000-7000-8000-000000000003',
  young: '0190aaaa-0000-7000-8000-000000000004',
};

function record(memberId: string, serial: number, contact: { email?: string; phone?: string }, createdAt = T0) {
  return {
    memberId,
    firstName: 'Odile',
    lastName: `Ancienne${serial}`,
    email: contact.email ?? null,
    phone: contact.phone ?? null,
    locale: 'fr' as const,
    cards: [makeCardNumber(900, serial)],
    createdAt,
  };
}

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => clock.value }, random: seededRandom(44), logger: silentLogger, maintenanceIntervalMs: 0 });
  till = await openTerminal(hq, 'caisse-lille-1', 'lille-centre', 401);
  await upsertMember(hq.ctx, record(ids.old, 1, { email: 'odile1@example.fr' }), ['lille-centre']);
  await upsertMember(hq.ctx, record(ids.quiet, 2, {}), ['lille-centre']);
  await upsertMember(hq.ctx, record(ids.back, 3, { phone: '+33622334455' }), ['lille-centre']);
  await upsertMember(hq.ctx, record(ids.young, 4, { email: 'odile4@example.fr' }, T0 + 400 * DAY), ['lille-centre']);
  expect(await till.sync.pull()).toMatchObject({ ok: true });
  expect(till.members.summary(ids.old)).not.toBeNull();
}, 60_000);

afterAll(async () => {
  till?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('three-year retention at HQ', () => {
  const sent: PrivacyMessage[] = [];
  const sender = {
    async send(n: PrivacyMessage) {
      sent.push(n);
      await outboxSender(hq.ctx).send(n);
    },
  };
  // The terminal's fake members reach HQ too (enrolled long before T0): only the four above are looked at.
  const mine = new Set<string>(Object.values(ids));
  const alive = async () =>
    (await hq.ctx.sql.query<{ customer_id: string }>('SELECT customer_id FROM member WHERE record IS NOT NULL ORDER BY customer_id'))
      .map((r) => r.customer_id)
      .filter((id) => mine.has(id));
  const noticedOf = async () =>
    (await hq.ctx.sql.query<{ customer_id: string; channel: string | null }>('SELECT customer_id, channel FROM retention_notice ORDER BY customer_id'))
      .filter((r) => mine.has(r.customer_id))
      .map((r) => [r.customer_id, r.channel]);

  it('sends nothing before the notice period, then one notice 30 days before to those who can be reached', async () => {
    clock.value = T0 + (3 * 365 - 31) * DAY;
    await runRetention(hq.ctx, sender);
    expect(await noticedOf()).toEqual([]);

    clock.value = T0 + (3 * 365 - 29) * DAY;
    await runRetention(hq.ctx, sender);
    expect(await noticedOf()).toEqual([
      [ids.old, 'email'],
      [ids.quiet, null],
      [ids.back, 'sms'],
    ]);
    const toMine = sent.filter((n) => mine.has(n.customerId));
    expect(toMine.map((n) => [n.customerId, n.channel, n.to])).toEqual([
      [ids.old, 'email', 'odile1@example.fr'],
      [ids.back, 'sms', '+33622334455'],
    ]);
    expect(toMine[0]!.body).toContain('effacés');
    // A second run the same week sends nothing again.
    clock.value += 2 * DAY;
    const count = sent.length;
    expect(await runRetention(hq.ctx, sender)).toMatchObject({ noticed: 0, unreachable: 0 });
    expect(sent.length).toBe(count);
    expect(await alive()).toEqual(Object.values(ids).sort());
  });

  it('anonymises after three years those noticed 30 days before, not one who came back meanwhile; the tombstone reaches the store’s terminal', async () => {
    // The customer of the SMS changes a consent at a till: activity, so their notice no longer counts.
    await hq.ctx.sql.query(
      "INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id) VALUES ($1, 'marketing', $2, false, '2026-11.fr-2', 'till', 'caisse-lille-1')",
      [ids.back, clock.value],
    );
    clock.value = T0 + (3 * 365 + 1) * DAY;
    const run = await runRetention(hq.ctx, sender);
    expect(run.anonymised).toBeGreaterThanOrEqual(2);
    expect(run.deferred).toBe(0);
    expect(await alive()).toEqual([ids.back, ids.young].sort());
    const receipts = await hq.ctx.sql.query<{ cause: string; handled_by: string }>('SELECT DISTINCT cause, handled_by FROM erasure_receipt');
    expect(receipts).toEqual([{ cause: 'retention', handled_by: 'retention' }]);
    // The one who came back keeps the old notice, about an inactivity that ended: it no longer counts.
    expect((await noticedOf()).find((r) => r[0] === ids.back)).toEqual([ids.back, 'sms']);
    // The development outbox kept no trace of the anonymised member's address.
    expect(await hq.ctx.sql.query('SELECT customer_id FROM privacy_outbox WHERE customer_id = $1', [ids.back])).toHaveLength(1);
    expect(await hq.ctx.sql.query('SELECT customer_id FROM privacy_outbox WHERE customer_id = $1', [ids.old])).toEqual([]);

    till.h.clock.value = clock.value;
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(till.members.summary(ids.old)).toBeNull();
    expect(till.members.summary(ids.quiet)).toBeNull();
    expect(till.members.summary(ids.back)).not.toBeNull();
    expect(isBlockedCard(till.h.db, makeCardNumber(900, 1))).toBe(true);
  });
});

describe('a terminal’s own purge of members it has not seen', () => {
  it('removes, with an injected clock, the personal data of members neither enrolled nor looked up here for three years, keeps the rest and the journal', () => {
    const h = openHarness({ terminalId: 'purge-t1' });
    try {
      const { claire, helene } = h.members;
      const store = new MemberStore(h.db);
      h.ledger.commit(sale(claire.id, 'R-1', [line(1000)]));
      const journal = h.db.prepare('SELECT entry_hash FROM ledger_entry ORDER BY seq').all();
      const now = T0 + (3 * 365 + 2) * DAY;
      // Hélène was looked up here a year ago; Claire not since she enrolled.
      h.db.prepare("INSERT INTO member_lookup_log (member_id, at, by_whom, via) VALUES (?, ?, 'cashier', 'identify')").run(helene.id, now - 365 * DAY);
      h.db.prepare('DELETE FROM member_outbox').run();
      expect(store.names.find(1, 'claire', 5).map((x) => x.memberId)).toContain(claire.id);
      const policy = retentionPolicy({});
      expect(policy.unseenMembersDays).toBe(3 * 365);
      expect(purgeUnseenMembers(h.db, store.names, policy.unseenMembersDays, T0 + 10 * DAY)).toBe(0);
      const purged = purgeUnseenMembers(h.db, store.names, policy.unseenMembersDays, now);
      expect(purged).toBeGreaterThanOrEqual(1);
      expect(store.summary(claire.id)).toBeNull();
      expect(store.summary(helene.id)).not.toBeNull();
      expect(store.names.find(1, 'claire', 5).map((x) => x.memberId)).not.toContain(claire.id);
      // Not blocked: HQ still has her; a scan asks HQ and the pull brings her back.
      expect(isBlockedCard(h.db, claire.cardNumber)).toBe(false);
      expect(h.db.prepare('SELECT entry_hash FROM ledger_entry ORDER BY seq').all()).toEqual(journal);
      expect(verifyChain(h.db).ok).toBe(true);
      expect(pruneExpired(h.db, policy, now)).toMatchObject({ tillRequests: 0 });
    } finally {
      h.close();
    }
  });

  it('keeps a member whose record HQ has not received yet', () => {
    const h = openHarness({ terminalId: 'purge-t2' });
    try {
      const store = new MemberStore(h.db);
      const now = T0 + (3 * 365 + 2) * DAY;
      h.db.prepare('DELETE FROM member_outbox WHERE member_id <> ?').run(h.members.claire.id);
      h.db.prepare('INSERT OR IGNORE INTO member_outbox (member_id, queued_at) VALUES (?, ?)').run(h.members.claire.id, T0);
      purgeUnseenMembers(h.db, store.names, 3 * 365, now);
      expect(store.summary(h.members.claire.id)).not.toBeNull();
      expect(store.summary(h.members.helene.id)).toBeNull();
    } finally {
      h.close();
    }
  });
});
