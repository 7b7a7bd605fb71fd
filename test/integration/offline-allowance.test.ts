import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import type { OfflineLimits } from '../../src/main/core/ledger/offline';
import { silentLogger, seededRandom } from '../../src/main/core/ports';
import { storeAllowance } from '../../src/main/core/sync/enrolment';
import { allowanceLimitsProvider } from '../../src/main/core/sync/offline-allowance';
import { rawPublicKey, signCanonical } from '../../src/main/core/sync/signing';
import type { OfflineAllowance } from '../../src/shared/sync/protocol';
import { line, openHarness, refusal, sale, type Harness } from './ledger-fixture';

/**
 * Offline redemption limits come from the allowance HQ signed once the
 * terminal is enrolled (sync-ledger.md §2.7), from configuration before. The
 * enrolment and the allowance are written as enrolment and pull write them;
 * HQ's key is a local one, so no HQ runs here.
 */
const TERMINAL = 'caisse-test-1';
const CONFIGURED: OfflineLimits = { maxPointsPerTransaction: 300, maxPointsPerMemberPerSession: 600, maxPointsPerTerminalSession: 5_000, maxOfflineDurationMs: 3_600_000 };

const hqPair = generateKeyPairSync('ed25519');
const hqPublicKey = rawPublicKey(createPublicKey(hqPair.privateKey));
const HQ_KEY_ID = 'hq-test-k1';

let h: Harness | null = null;
afterEach(() => {
  h?.close();
  h = null;
});

function signedAllowance(fields: Partial<Omit<OfflineAllowance, 'signature' | 'keyId'>> = {}): OfflineAllowance {
  const unsigned = {
    allowanceId: 'alw-1',
    terminalId: TERMINAL,
    maxPointsPerTransaction: 200,
    maxPointsPerCustomerPerSession: 400,
    maxPointsTotal: 10_000,
    maxOfflineDurationMs: 2 * 3_600_000,
    policyVersion: 'p1',
    expiresAt: h!.clock.value + 24 * 3_600_000,
    keyId: HQ_KEY_ID,
    ...fields,
  };
  return { ...unsigned, signature: signCanonical(hqPair.privateKey, unsigned) };
}

/** A terminal whose ledger reads its limits from the sync state, with points for Claire earned online. */
function terminal() {
  h = openHarness({ terminalId: TERMINAL });
  const harness = h;
  harness.ledger = createLedger({
    db: harness.db,
    clock: { now: () => harness.clock.value },
    random: seededRandom(11),
    monotonic: { now: () => harness.mono.value },
    terminalId: TERMINAL,
    logger: silentLogger,
    rules: DEFAULT_PROGRAM,
    policy: { offlineLimits: CONFIGURED },
    offlineLimits: allowanceLimitsProvider({ db: harness.db, terminalId: TERMINAL, beforeEnrolment: () => CONFIGURED }),
  });
  const claire = harness.members.claire.id;
  harness.ledger.commit(sale(claire, 'EARN', [line(120_000), line(120_000)])); // 2,000 points, no line over the programme's ceiling
  expect(harness.ledger.points(claire).balance).toBe(2_000);
  return { h: harness, claire };
}

function enrol(harness: Harness, allowance: OfflineAllowance): void {
  harness.db
    .prepare(
      `INSERT INTO sync_enrolment (terminal_id, epoch, store_id, terminal_key_id, hq_key_id, hq_public_key, genesis_hash, receipt, enrolled_at)
       VALUES (?, 1, 'store-1', 't-key', ?, ?, ?, '{}', ?)`,
    )
    .run(TERMINAL, HQ_KEY_ID, hqPublicKey, '0'.repeat(64), harness.clock.value);
  storeAllowance(harness.db, allowance);
}

let receipts = 0;
const redeem = (harness: Harness, memberId: string, points: number) => harness.ledger.commit(sale(memberId, `R${++receipts}`, [line(20_000)], points));

describe('offline limits from the HQ-signed allowance', () => {
  it('uses the configured limits before enrolment', () => {
    const { h, claire } = terminal();
    h.ledger.setOffline(true);
    expect(refusal(() => redeem(h, claire, 400), 'unavailable').issues).toEqual([{ path: 'redeemPoints', message: 'ledger.offline.per_transaction' }]);
    const done = redeem(h, claire, 300);
    expect(done.pointsRedeemed).toBe(300);
    expect(h.ledger.history(claire, 2).find((e) => e.kind === 'redeem')!.detail).not.toHaveProperty('allowance_id');
  });

  it('applies the signed allowance once enrolled, and names it in the offline redeem entry', () => {
    const { h, claire } = terminal();
    enrol(h, signedAllowance());
    h.ledger.setOffline(true);
    // 300 fits the configured per-sale limit but not HQ's 200.
    expect(refusal(() => redeem(h, claire, 300), 'unavailable').issues).toEqual([{ path: 'redeemPoints', message: 'ledger.offline.per_transaction' }]);
    expect(h.ledger.preview(sale(claire, 'P', [line(20_000)])).options.maximumPoints).toBe(200);
    redeem(h, claire, 200);
    const entry = h.ledger.history(claire, 2).find((e) => e.kind === 'redeem')!;
    expect(entry).toMatchObject({ offline: true, detail: { allowance_id: 'alw-1', points: 200 } });
    redeem(h, claire, 200);
    // HQ's per-customer budget (400) is spent; the configured one (600) would still allow it.
    expect(refusal(() => redeem(h, claire, 100), 'unavailable').issues?.[0]!.message).toBe('ledger.offline.per_member');
    // Online, the allowance does not bound anything.
    h.ledger.setOffline(false);
    expect(redeem(h, claire, 500).pointsRedeemed).toBe(500);
  });

  it('refuses every offline redemption once the allowance expired, saying why', () => {
    const { h, claire } = terminal();
    const allowance = signedAllowance({ expiresAt: h.clock.value + 60_000 });
    enrol(h, allowance);
    h.ledger.setOffline(true);
    redeem(h, claire, 100);
    h.clock.value = allowance.expiresAt;
    const failure = refusal(() => redeem(h, claire, 100), 'unavailable');
    expect(failure.issues).toEqual([{ path: 'redeemPoints', message: 'ledger.offline.allowance_expired' }]);
    expect(failure.message).toContain('alw-1 expired');
    expect(h.ledger.preview(sale(claire, 'P', [line(20_000)])).options.maximumPoints).toBe(0);
    // Earning offline goes on.
    expect(h.ledger.commit(sale(claire, 'EARN-2', [line(1_200)])).pointsEarned).toBe(10);
    // A renewed allowance (as the next pull stores it) applies from the next sale, without a restart.
    h.ledger.setOffline(false);
    storeAllowance(h.db, signedAllowance({ allowanceId: 'alw-2', expiresAt: h.clock.value + 3_600_000 }));
    h.ledger.setOffline(true);
    redeem(h, claire, 100);
    expect(h.ledger.history(claire, 2).find((e) => e.kind === 'redeem')!.detail).toMatchObject({ allowance_id: 'alw-2' });
  });

  it('refuses offline redemption on an allowance that does not verify, rather than falling back to configuration', () => {
    const { h, claire } = terminal();
    const raised = { ...signedAllowance(), maxPointsPerTransaction: 5_000 };
    enrol(h, raised);
    h.ledger.setOffline(true);
    const failure = refusal(() => redeem(h, claire, 100), 'unavailable');
    expect(failure.issues).toEqual([{ path: 'redeemPoints', message: 'ledger.offline.invalid_allowance' }]);
    expect(failure.message).toContain('not signed by the enrolled HQ key');
    // Another terminal's allowance, correctly signed, does not apply here either.
    storeAllowance(h.db, signedAllowance({ terminalId: 'caisse-test-2' }));
    expect(refusal(() => redeem(h, claire, 100), 'unavailable').issues?.[0]!.message).toBe('ledger.offline.invalid_allowance');
    storeAllowance(h.db, signedAllowance());
    expect(redeem(h, claire, 100).pointsRedeemed).toBe(100);
  });

  it('bounds the offline duration by the allowance, on the monotonic clock', () => {
    const { h, claire } = terminal();
    enrol(h, signedAllowance({ maxOfflineDurationMs: 30 * 60_000 }));
    h.ledger.setOffline(true);
    h.mono.value += 31 * 60_000;
    expect(refusal(() => redeem(h, claire, 100), 'unavailable').issues?.[0]!.message).toBe('ledger.offline.duration');
  });
});
